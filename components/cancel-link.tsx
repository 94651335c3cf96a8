"use client";

import Link from "next/link";
import { useEffect, useRef } from "react";

/**
 * A confirmation's Cancel. Escape anywhere on the page follows it too, as Escape closes a dialog:
 * an open confirmation is what the page is waiting on. Whatever else Escape closes first (the
 * phone's Menu) takes it instead. Without JavaScript, Cancel itself is the way back.
 */
export function CancelLink({ href, className }: { href: string; className: string }) {
  const link = useRef<HTMLAnchorElement>(null);
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== "Escape" || event.defaultPrevented || event.isComposing) return;
      event.preventDefault();
      link.current?.click();
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, []);
  return (
    <Link ref={link} href={href} className={className}>
      Cancel
    </Link>
  );
}
