-- Session.authenticatedAt: when the person last proved a credential (sign-in or re-authentication).
-- Destructive admin actions check it; existing sessions take their sign-in time.
ALTER TABLE "Session" ADD COLUMN "authenticatedAt" TIMESTAMPTZ(3);
UPDATE "Session" SET "authenticatedAt" = "createdAt";
ALTER TABLE "Session" ALTER COLUMN "authenticatedAt" SET NOT NULL;
