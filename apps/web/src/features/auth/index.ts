export { SignInRoute } from './routes/SignInRoute';
