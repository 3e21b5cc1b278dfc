export { CustomerPanel } from './components/CustomerPanel';
export { useCustomerSearch } from './hooks/useCustomerSearch';
