export { CustomerRoute } from './routes/CustomerRoute';
