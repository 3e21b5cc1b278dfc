export * from './survey-rules';
export * from './survey-token';
export * from './surveys.module';
export * from './surveys.object';
export * from './surveys.repository';
export * from './surveys.service';
export { SURVEY_PAGE_HEADERS } from './survey-page.controller';
export { renderSurveyPage } from './survey-page.html';
