export { TeamReplica, type TeamHost, type TeamLog, type RemoteMerge, type TeamReplicaOptions, type NotedVersion } from './team-replica.js';
export { checkTeamAccess, openTeamProject, readPassphraseFile, TeamAccessError, type OpenedProject } from './team-project.js';
export { TeamDatabase, channelOf, type NewChange } from './team-database.js';
export { Journal, type JournalState, type OutboxEntry, type TagRepairs } from './journal.js';
export { TeamCodec } from './codec.js';
export { teamOpsOf, applyTeamOps } from './team-ops.js';
export { MIGRATIONS, migrate } from './migrations.js';
export { redactUrl } from './redact-url.js';
