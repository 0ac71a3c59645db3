import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from '~/server/api/root.ts';
import { createContext } from '~/server/api/trpc.ts';

export const dynamic = 'force-dynamic';

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: ({ resHeaders }) => createContext({ req, resHeaders }),
    onError({ error, path }) {
      // Log the failure class only: inputs may hold patient data.
      if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`[trpc] ${path}: ${error.cause?.name ?? 'Error'}: ${error.message}`);
    },
  });
}

export { handler as GET, handler as POST };
