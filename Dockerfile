# FaceAge platform image: the web app and the worker share it (different commands).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
COPY scripts/postinstall.sh ./scripts/postinstall.sh
COPY prisma ./prisma
COPY prisma.config.ts ./
COPY server/db/pg-config.ts ./server/db/pg-config.ts
RUN FACEAGE_SKIP_BUILD=1 npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm run models:build
EXPOSE 3000
# docker-compose overrides the command for workers (npm run worker).
CMD ["npm", "start"]
