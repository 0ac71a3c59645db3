import type { Role } from '~/generated/prisma/client.ts';

/**
 * The one place that says who may call what. Every tRPC procedure path must appear here;
 * a procedure missing from this table is refused for everyone (deny by default), and a test
 * checks that the table and the router agree.
 *
 * 'public' = no session needed; 'any' = any signed-in user; otherwise the roles allowed.
 */
export type Access = 'public' | 'any' | readonly Role[];

const STAFF = ['admin', 'coordinator'] as const;
const READ = ['admin', 'coordinator', 'analyst'] as const;

export const accessTable: Record<string, Access> = {
  'auth.status': 'public',
  'auth.setupAdmin': 'public',
  'auth.login': 'public',
  'auth.logout': 'any',
  'auth.me': 'any',

  'users.list': ['admin'],
  'users.create': ['admin'],

  'studies.list': READ,
  'studies.create': STAFF,
  'cohorts.list': READ,
  'cohorts.get': READ,
  'cohorts.create': STAFF,

  // survival dashboards (issue 7): analysts, coordinators and admins; raters never
  'analysis.overview': READ,
  'analysis.km': READ,
  'analysis.cox': READ,
  'analysis.predictions': READ,
  'analysis.agreement': READ,
  'analysis.validation': READ,
  'analysis.createDemo': ['admin'],

  // human-vs-FaceAge survey: coordinators set up, raters enter (own invitations only), analysts read results
  'survey.options': STAFF,
  'survey.create': STAFF,
  'survey.invite': STAFF,
  'survey.setStatus': STAFF,
  'survey.list': READ,
  'survey.get': READ,
  'survey.results': ['admin', 'analyst'],
  'survey.mine': ['rater'],
  'survey.view': ['rater'],
  'survey.save': ['rater'],
  'survey.submitPart': ['rater'],

  // Cohort workflow (issue 6): coordinators run it; analysts read results.
  'imports.fields': STAFF,
  'imports.previewClinical': STAFF,
  'imports.commitClinical': STAFF,
  'imports.photoLog': STAFF,
  'photos.list': READ,
  'curation.get': READ,
  'curation.updateRules': STAFF,
  'runs.models': READ,
  'runs.start': STAFF,
  'runs.list': READ,
  'runs.get': READ,
  'runs.failures': READ,
  'runs.cancel': STAFF,
  'runs.retry': STAFF,
  'qa.list': STAFF,
  'qa.cull': STAFF,
  'qa.restore': STAFF,
  'qa.pass': STAFF,

  'system.selftest': ['admin'],
  'system.audit': ['admin'],
};

export function allowed(access: Access | undefined, role: Role | null): boolean {
  if (access === undefined) return false;
  if (access === 'public') return true;
  if (role === null) return false;
  if (access === 'any') return true;
  return access.includes(role);
}
