"use client";

import { usePathname, useSearchParams } from "next/navigation";
import { useEffect, useRef } from "react";

/**
 * After a client-side navigation (a link, a form, an action's redirect) focus starts at the page's
 * content, as after a full page load, unless the new page put it somewhere itself (a confirmation's
 * field). Otherwise it would stay on the link that was followed, far down a page now scrolled to the
 * top ("Next page →"), or fall to <body> when the button pressed is gone with its confirmation.
 */
export function FocusOnNavigation({ targetId }: { targetId: string }) {
  const pathname = usePathname();
  const search = useSearchParams().toString();
  const before = useRef<Element | null>(null);
  const firstRender = useRef(true);
  useEffect(() => {
    const remember = () => {
      before.current = document.activeElement;
    };
    document.addEventListener("click", remember, true);
    document.addEventListener("submit", remember, true);
    return () => {
      document.removeEventListener("click", remember, true);
      document.removeEventListener("submit", remember, true);
    };
  }, []);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    const active = document.activeElement;
    if (!active || active === document.body || active === before.current || !active.isConnected) {
      document.getElementById(targetId)?.focus({ preventScroll: true });
    }
  }, [pathname, search, targetId]);
  return null;
}
