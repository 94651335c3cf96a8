"use client";

import Link from "next/link";
import { useEffect, useRef } from "react";
import { useFormStatus } from "react-dom";

/**
 * A confirmation's Cancel. Escape anywhere on the page follows it too, as Escape closes a dialog:
 * an open confirmation is what the page is waiting on. Whatever else Escape closes first (the
 * phone's Menu) takes it instead, and so does an input method composing text. Once the form is sent
 * Escape does nothing: the action goes ahead on the server either way, and leaving would hide its
 * outcome. Without JavaScript, Cancel itself is the way back.
 */
export function CancelLink({ href, className }: { href: string; className: string }) {
  const link = useRef<HTMLAnchorElement>(null);
  const { pending } = useFormStatus();
  useEffect(() => {
    if (pending) return;
    const onKeyDown = (event: KeyboardEvent) => {
      // 229: the key that ends a composition, as Safari reports it (isComposing already false).
      if (event.key !== "Escape" || event.defaultPrevented || event.isComposing || event.keyCode === 229) return;
      event.preventDefault();
      link.current?.click();
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [pending]);
  return (
    <Link ref={link} href={href} className={className}>
      Cancel
    </Link>
  );
}
