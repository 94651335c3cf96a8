-- A force logout's row stays once its rows are marked ("marked"): the session check and the lists
-- read only the one still marking. A sign-in stamped before its time but written after the marking
-- had passed (and the row, until now, was gone) reads it and ends itself, as the force logout would.
ALTER TABLE "ForceLogoutCutoff" ADD COLUMN "marked" BOOLEAN NOT NULL DEFAULT false;
