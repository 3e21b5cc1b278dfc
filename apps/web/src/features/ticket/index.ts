export { TicketRoute } from './routes/TicketRoute';
export { NewTicketRoute } from './routes/NewTicketRoute';
