export { SurveysApiModule, SurveysWorkerModule } from './surveys.module';
export { SurveysService } from './surveys.service';
export { SURVEY_PAGE_HEADERS } from './survey-page.controller';
export { renderSurveyPage } from './survey-page.html';
