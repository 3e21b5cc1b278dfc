export { KpiRoute } from './routes/KpiRoute';
