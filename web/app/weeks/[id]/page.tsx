import type { Metadata } from "next";
import { WeekView } from "@/views/week-view.tsx";

export const metadata: Metadata = { title: "Week" };

export default async function WeekPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <WeekView id={decodeURIComponent(id)} />;
}
