-- The browser and operating system families a session signed in with ("Firefox", "Linux"), parsed
-- from its user agent at sign-in. Sessions from before stay NULL (unknown).
ALTER TABLE "Session" ADD COLUMN "browserFamily" TEXT,
                      ADD COLUMN "osFamily" TEXT;
