-- The identity provider's session id (the ID token's "sid"), so back-channel logout can end it.
ALTER TABLE "Session" ADD COLUMN "oidcSid" TEXT;
CREATE INDEX "Session_oidcSid_idx" ON "Session"("oidcSid");
