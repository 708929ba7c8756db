import type { Metadata } from "next";
import { NewCollectionView } from "@/views/new-collection-view.tsx";

export const metadata: Metadata = { title: "New collection" };

export default function NewCollectionPage() {
  return <NewCollectionView />;
}
