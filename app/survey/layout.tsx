import type { ReactNode } from 'react';
import './survey.css';

export default function SurveyLayout({ children }: { children: ReactNode }) {
  return <>{children}</>;
}
