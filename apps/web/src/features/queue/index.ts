export { QueueRoute } from './routes/QueueRoute';
export { ViewsNav } from './components/ViewsNav';
