-- Approximate location reported by a trusted proxy at sign-in (e.g. CF-IPCountry / CF-IPCity).
ALTER TABLE "Session" ADD COLUMN "country" TEXT;
ALTER TABLE "Session" ADD COLUMN "city" TEXT;
