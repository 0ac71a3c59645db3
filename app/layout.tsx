import type { ReactNode } from 'react';
import { Providers } from './_lib/trpc.tsx';
import { Nav } from './_components/Nav.tsx';
import './globals.css';

export const metadata = { title: 'FaceAge platform', description: 'Biological age from face photographs, survival statistics and cohort workflow' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>
          <Nav />
          <main>{children}</main>
        </Providers>
      </body>
    </html>
  );
}
