export * from './errors';
export * from './types';
export { SapiClient, MEDIA, MAX_JOBS_PER_SUBMIT, MAX_IDS_PER_POLL, UPLOAD_PART_SIZE } from './client';
export type { SapiClientOptions, WaitOptions, CompletedProblem } from './client';
export { HttpClient, parseRetryAfter, parseMediaType } from './http';
export type { HttpOptions, HttpRequest, HttpResponse, MediaExpectation } from './http';
export { matchesFilters, orderSolvers, selectSolvers, parseFilterKey, clientCategoryFilter, FILTER_OPERATORS } from './filters';
export type { FilterOperator, OrderBy } from './filters';
