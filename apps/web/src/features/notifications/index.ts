export { useDeskNotifications } from './hooks/useDeskNotifications';
export { NotificationsButton } from './components/NotificationsButton';
