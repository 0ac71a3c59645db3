-- CreateTable
CREATE TABLE "Survey" (
    "id" TEXT NOT NULL,
    "cohortId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "parts" INTEGER[],
    "vignetteFields" TEXT[],
    "trainingCohortId" TEXT,
    "modelCovariates" TEXT[],
    "modelInfo" JSONB,
    "sampling" TEXT NOT NULL,
    "stratifyBy" TEXT,
    "sampleSize" INTEGER NOT NULL,
    "seed" INTEGER NOT NULL,
    "ageModelId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'open',
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Survey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SurveyItem" (
    "id" TEXT NOT NULL,
    "surveyId" TEXT NOT NULL,
    "patientId" TEXT NOT NULL,
    "photoId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "stratum" TEXT,
    "modelSurvival6m" DOUBLE PRECISION,

    CONSTRAINT "SurveyItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SurveyRater" (
    "id" TEXT NOT NULL,
    "surveyId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "profession" TEXT NOT NULL,
    "orderSeed" INTEGER NOT NULL,
    "submittedParts" INTEGER[],
    "invitedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SurveyRater_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SurveyAnswer" (
    "id" TEXT NOT NULL,
    "raterId" TEXT NOT NULL,
    "itemId" TEXT NOT NULL,
    "part" INTEGER NOT NULL,
    "estimatedAge" DOUBLE PRECISION,
    "survive6m" BOOLEAN,
    "survivalProbability" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "submittedAt" TIMESTAMP(3),

    CONSTRAINT "SurveyAnswer_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Survey_cohortId_idx" ON "Survey"("cohortId");

-- CreateIndex
CREATE INDEX "SurveyItem_surveyId_position_idx" ON "SurveyItem"("surveyId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "SurveyItem_surveyId_patientId_key" ON "SurveyItem"("surveyId", "patientId");

-- CreateIndex
CREATE UNIQUE INDEX "SurveyRater_surveyId_userId_key" ON "SurveyRater"("surveyId", "userId");

-- CreateIndex
CREATE INDEX "SurveyAnswer_itemId_idx" ON "SurveyAnswer"("itemId");

-- CreateIndex
CREATE UNIQUE INDEX "SurveyAnswer_raterId_itemId_part_key" ON "SurveyAnswer"("raterId", "itemId", "part");

-- AddForeignKey
ALTER TABLE "Survey" ADD CONSTRAINT "Survey_cohortId_fkey" FOREIGN KEY ("cohortId") REFERENCES "Cohort"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SurveyItem" ADD CONSTRAINT "SurveyItem_surveyId_fkey" FOREIGN KEY ("surveyId") REFERENCES "Survey"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SurveyItem" ADD CONSTRAINT "SurveyItem_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SurveyItem" ADD CONSTRAINT "SurveyItem_photoId_fkey" FOREIGN KEY ("photoId") REFERENCES "Photo"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SurveyRater" ADD CONSTRAINT "SurveyRater_surveyId_fkey" FOREIGN KEY ("surveyId") REFERENCES "Survey"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SurveyRater" ADD CONSTRAINT "SurveyRater_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SurveyAnswer" ADD CONSTRAINT "SurveyAnswer_raterId_fkey" FOREIGN KEY ("raterId") REFERENCES "SurveyRater"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SurveyAnswer" ADD CONSTRAINT "SurveyAnswer_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "SurveyItem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

