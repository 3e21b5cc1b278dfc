import {
  ActionIcon,
  AppShell,
  Avatar,
  Burger,
  Button,
  Group,
  Menu,
  NavLink,
  Stack,
  Text,
  Tooltip,
  UnstyledButton,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link, NavLink as RouterLink, Outlet, useLocation, useNavigate } from 'react-router';
import { ConnectivityBanner } from '@/components/ConnectivityBanner';
import { NotificationsButton, useDeskNotifications } from '@/features/notifications';
import { CommandPalette, openPalette } from '@/features/palette';
import { ViewsNav } from '@/features/queue';
import { SavedViewsNav } from '@/features/automations/widgets';
import { humanize } from '@/lib/format';
import { useShortcuts } from '@/lib/use-shortcuts';
import { useSession } from './session';
import { ShortcutsHelp } from './ShortcutsHelp';

/** Header, role-shaped navigation, the connectivity banner, the palette and `?` help. */
export function Shell() {
  const { user, signOut } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [navOpen, nav] = useDisclosure(false);
  const [helpOpen, help] = useDisclosure(false);
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  useShortcuts({ help: help.open });
  const works = user?.role === 'agent' || user?.role === 'team_lead' || user?.role === 'admin';
  useDeskNotifications(user, works);
  if (!user) return null;
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 270, breakpoint: 'sm', collapsed: { mobile: !navOpen } }}
      padding={0}
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={navOpen}
              onClick={nav.toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <UnstyledButton component={Link} to="/" aria-label="Staydesk home">
              <Text fw={800} size="lg" c="var(--sd-brand)">
                Staydesk
              </Text>
            </UnstyledButton>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Button
              variant="default"
              size="sm"
              onClick={openPalette}
              visibleFrom="sm"
              rightSection={
                <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                  Ctrl K
                </Text>
              }
              w={280}
              justify="space-between"
              styles={{ label: { color: 'var(--mantine-color-dimmed)', fontWeight: 400 } }}
            >
              Jump to ticket or customer
            </Button>
            <Tooltip label="Jump to (Ctrl+K)">
              <ActionIcon
                variant="default"
                size="lg"
                hiddenFrom="sm"
                onClick={openPalette}
                aria-label="Jump to ticket or customer"
              >
                ⌕
              </ActionIcon>
            </Tooltip>
            <NotificationsButton />
            <Tooltip label="Keyboard shortcuts (?)">
              <ActionIcon
                variant="default"
                size="lg"
                onClick={help.open}
                aria-label="Keyboard shortcuts"
              >
                ?
              </ActionIcon>
            </Tooltip>
            <Tooltip label={scheme === 'dark' ? 'Light mode' : 'Dark mode'}>
              <ActionIcon
                variant="default"
                size="lg"
                onClick={() => setColorScheme(scheme === 'dark' ? 'light' : 'dark')}
                aria-label={scheme === 'dark' ? 'Switch to light mode' : 'Switch to dark mode'}
              >
                {scheme === 'dark' ? '☀' : '☾'}
              </ActionIcon>
            </Tooltip>
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton aria-label={`Account: ${user.name}`}>
                  <Group gap={8} wrap="nowrap">
                    <Avatar size="sm" radius="xl" name={user.name} color="indigo" />
                    <Text size="sm" fw={500} visibleFrom="md">
                      {user.name}
                    </Text>
                  </Group>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>
                  {humanize(user.role)}
                  {user.team ? ` · ${user.team.name}` : ''}
                </Menu.Label>
                <Menu.Item
                  onClick={() => {
                    void signOut().then(() => navigate('/sign-in', { replace: true }));
                  }}
                >
                  Sign out
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm">
        <Stack gap="lg">
          {works && <ViewsNav teamIds={user.teamIds} onNavigate={nav.close} />}
          {works && <SavedViewsNav onNavigate={nav.close} />}
          <Stack gap={2} component="nav" aria-label="Workspaces">
            <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pb={4}>
              Workspaces
            </Text>
            {works && (
              <NavLink
                component={RouterLink}
                to="/tickets/new"
                label="New ticket"
                onClick={nav.close}
                active={location.pathname === '/tickets/new'}
              />
            )}
            {(user.role === 'team_lead' || user.role === 'admin') && (
              <NavLink
                component={RouterLink}
                to="/kpis"
                label="Team KPIs"
                onClick={nav.close}
                active={location.pathname === '/kpis'}
              />
            )}
            {(user.role === 'team_lead' || user.role === 'admin') && (
              <NavLink
                component={RouterLink}
                to="/automations/rules"
                label="Automation rules"
                onClick={nav.close}
                active={location.pathname === '/automations/rules'}
              />
            )}
            {user.role === 'admin' && (
              <NavLink
                component={RouterLink}
                to="/automations/fields"
                label="Custom fields"
                onClick={nav.close}
                active={location.pathname === '/automations/fields'}
              />
            )}
            {(user.role === 'account_manager' || user.role === 'admin') && (
              <NavLink
                component={RouterLink}
                to="/retention"
                label="Retention"
                onClick={nav.close}
                active={location.pathname === '/retention'}
              />
            )}
            {(user.role === 'account_manager' || user.role === 'admin') && (
              <NavLink
                component={RouterLink}
                to="/risk"
                label="Risk list"
                onClick={nav.close}
                active={location.pathname === '/risk'}
              />
            )}
            {user.role === 'admin' && (
              <NavLink
                component={RouterLink}
                to="/admin/users"
                label="Admin"
                description="Users, teams, SLA, mail, import, privacy"
                onClick={nav.close}
                active={location.pathname.startsWith('/admin')}
              />
            )}
          </Stack>
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main>
        <ConnectivityBanner />
        <main>
          <Outlet />
        </main>
      </AppShell.Main>
      <CommandPalette />
      <ShortcutsHelp opened={helpOpen} onClose={help.close} />
    </AppShell>
  );
}
