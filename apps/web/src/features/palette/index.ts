export { CommandPalette, openPalette } from './components/CommandPalette';
