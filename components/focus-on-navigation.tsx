"use client";

import { usePathname, useSearchParams } from "next/navigation";
import { useEffect, useRef } from "react";
import { OUTCOME_ATTRIBUTE } from "./ui";

/** How long after a form is sent its button may still go away with what the form changed. */
const SUBMIT_SETTLES_MS = 10_000;

/**
 * After a client-side navigation (a link, a form, an action's redirect) focus starts at the page's
 * content, as after a full page load, unless the new page put it somewhere itself (a confirmation's
 * field). Otherwise it would stay on the link that was followed, far down a page now scrolled to the
 * top ("Next page →"), or fall to <body> when the button pressed is gone with its confirmation.
 * A field marked invalid (a refused confirmation) takes it instead; so does the element an address
 * ending in #id names (a Cancel back to its row), as a browser starts there on a full page load, so
 * the next Tab continues from the row, not the top.
 * A form that comes back to the same address (a dismissed alert on a page already showing the
 * outcome) gets the same treatment once its button is gone.
 */
export function FocusOnNavigation({ targetId }: { targetId: string }) {
  const pathname = usePathname();
  const search = useSearchParams().toString();
  const before = useRef<Element | null>(null);
  const firstRender = useRef(true);
  useEffect(() => {
    let watching: MutationObserver | null = null;
    let stopWatching: ReturnType<typeof setTimeout> | undefined;
    const stop = () => {
      watching?.disconnect();
      watching = null;
      clearTimeout(stopWatching);
    };
    const remember = () => {
      before.current = document.activeElement;
    };
    const watchSubmitter = () => {
      remember();
      const submitter = document.activeElement;
      stop();
      if (!submitter || submitter === document.body) return;
      watching = new MutationObserver(() => {
        if (submitter.isConnected) return;
        stop();
        if (lost(document.activeElement, submitter)) focusStart(targetId);
      });
      watching.observe(document.body, { childList: true, subtree: true });
      stopWatching = setTimeout(stop, SUBMIT_SETTLES_MS);
    };
    document.addEventListener("click", remember, true);
    document.addEventListener("submit", watchSubmitter, true);
    return () => {
      stop();
      document.removeEventListener("click", remember, true);
      document.removeEventListener("submit", watchSubmitter, true);
    };
  }, [targetId]);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    if (lost(document.activeElement, before.current)) focusStart(targetId);
  }, [pathname, search, targetId]);
  return null;
}

/** Focus is nowhere useful: on <body>, still where it was before the change, or on an element gone with it. */
function lost(active: Element | null, before: Element | null): boolean {
  return !active || active === document.body || active === before || !active.isConnected;
}

/**
 * A field the page marks invalid (a refused confirmation's), else what an action just did (its
 * message, read out when focused: a message that comes with the page is not always announced),
 * else the #id the address ends in, else the page's content.
 */
function focusStart(targetId: string) {
  const invalid = document.querySelector<HTMLElement>('[aria-invalid="true"]');
  if (invalid) return invalid.focus();
  const outcome = document.querySelector<HTMLElement>(`[${OUTCOME_ATTRIBUTE}]`);
  if (outcome) return outcome.focus({ preventScroll: false });
  const anchor = hashTarget(window.location.hash.slice(1));
  const start = anchor ?? document.getElementById(targetId);
  if (!start) return;
  // Not otherwise focusable (a list row): focusable from script only, like the page's <main>.
  if (anchor && anchor.tabIndex < 0 && !anchor.hasAttribute("tabindex")) anchor.setAttribute("tabindex", "-1");
  start.focus({ preventScroll: true });
}

function hashTarget(hash: string): HTMLElement | null {
  if (!hash) return null;
  try {
    return document.getElementById(decodeURIComponent(hash));
  } catch {
    return document.getElementById(hash); // not percent-encoded text: the id as written
  }
}
