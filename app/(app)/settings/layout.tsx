import { SettingsFrame } from "@/components/settings-frame";

/** Settings > …: the section heading and its own navigation. */
export default function SettingsLayout({ children }: { children: React.ReactNode }) {
  return <SettingsFrame>{children}</SettingsFrame>;
}
