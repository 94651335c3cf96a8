import type { Metadata, Viewport } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Sessionboard", template: "%s · Sessionboard" },
  description: "See and control your sign-in sessions",
  icons: { icon: "/favicon.ico" },
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

// Every page depends on the request (its session, its CSP nonce), so none is rendered ahead of time
// by `next build`: that would read the configuration and open the database while building.
export const dynamic = "force-dynamic";

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
