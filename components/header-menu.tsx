"use client";

import { usePathname } from "next/navigation";
import { useEffect, useRef } from "react";

/**
 * The header's Menu on a phone: a native disclosure (works without JavaScript and with the
 * keyboard) whose open state shows the header's panel (`panelId`, shown by CSS while the details
 * are open), closed again on navigation to another page. The panel lies over
 * the page, so with JavaScript it also closes on Escape (focus back on Menu), when focus leaves
 * Menu and panel alike, and on a click elsewhere: focus never sits on something the panel covers.
 */
export function HeaderMenu({ panelId }: { panelId: string }) {
  const pathname = usePathname();
  const menu = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (menu.current) menu.current.open = false;
  }, [pathname]);
  useEffect(() => {
    const details = menu.current;
    const panel = document.getElementById(panelId);
    if (!details || !panel) return;
    const outside = (target: EventTarget | null) => target instanceof Node && !details.contains(target) && !panel.contains(target);
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== "Escape" || !details.open) return;
      // Menu takes this Escape: an open confirmation (listening after it) stays open.
      event.preventDefault();
      details.open = false;
      details.querySelector("summary")?.focus();
    };
    const onFocusOut = (event: FocusEvent) => {
      if (details.open && outside(event.relatedTarget)) details.open = false;
    };
    const onPointerDown = (event: PointerEvent) => {
      if (details.open && outside(event.target)) details.open = false;
    };
    for (const part of [details, panel]) part.addEventListener("focusout", onFocusOut);
    // Escape on the whole page: a click on the panel's text (or Safari's click on Menu) leaves focus on <body>.
    document.addEventListener("keydown", onKeyDown, true);
    document.addEventListener("pointerdown", onPointerDown);
    return () => {
      for (const part of [details, panel]) part.removeEventListener("focusout", onFocusOut);
      document.removeEventListener("keydown", onKeyDown, true);
      document.removeEventListener("pointerdown", onPointerDown);
    };
  }, [panelId]);
  return (
    <details ref={menu} className="group sm:hidden">
      <summary
        aria-controls={panelId}
        className="flex cursor-pointer list-none items-center gap-2 rounded-lg px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50 [&::-webkit-details-marker]:hidden"
      >
        <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round">
          <path className="group-open:hidden" d="M3 5h14M3 10h14M3 15h14" />
          <path className="hidden group-open:block" d="M5 5l10 10M15 5L5 15" />
        </svg>
        Menu
      </summary>
    </details>
  );
}
