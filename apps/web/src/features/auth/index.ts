export { SignInRoute } from './routes/SignInRoute';
export { ForgotPasswordRoute } from './routes/ForgotPasswordRoute';
export { ResetPasswordRoute } from './routes/ResetPasswordRoute';
