'use client';

import { createContext, useContext } from 'react';

export interface AnalysisContextValue {
  cohortId: string;
  ageModelId: string | undefined;
}

export const AnalysisContext = createContext<AnalysisContextValue>({ cohortId: '', ageModelId: undefined });

/** The cohort and age model the dashboards analyse (set by the analysis layout). */
export function useAnalysisTarget(): AnalysisContextValue {
  return useContext(AnalysisContext);
}
