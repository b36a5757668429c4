// What every enrolled device shares, edge or streaming host: enrollment at the hub, the credentials file, CPU use.
export { enroll, EnrollmentError } from './enroll.js';
export * from './credentials.js';
export { CpuSampler } from './system-stats.js';
