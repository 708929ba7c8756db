import type { Metadata } from "next";
import { InstancesView } from "@/views/instances-view.tsx";

export const metadata: Metadata = { title: "Instances" };

export default function InstancesPage() {
  return <InstancesView />;
}
