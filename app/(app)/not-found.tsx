import { NotFoundMessage } from "@/components/not-found-message";

/** 404 inside the signed-in layout, which supplies the header. */
export default function NotFound() {
  return <NotFoundMessage />;
}
