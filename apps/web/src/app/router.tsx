import { Center, Loader } from '@mantine/core';
import { createBrowserRouter, Navigate, Outlet, useLocation } from 'react-router';
import { ProblemPage } from '@/components/ProblemPage';
import { ForgotPasswordRoute, ResetPasswordRoute, SignInRoute } from '@/features/auth';
import { QueueRoute } from '@/features/queue';
import { registerTicketChunk } from '@/lib/preload';
import { homeOf, SessionProvider, useSession } from './session';
import { Shell } from './Shell';

function Root() {
  return (
    <SessionProvider>
      <Outlet />
    </SessionProvider>
  );
}

/** Pages behind sign-in; a signed-out visitor goes to /sign-in and comes back after. */
function RequireSession() {
  const { user, loading } = useSession();
  const location = useLocation();
  if (loading)
    return (
      <Center mih="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  if (!user) {
    const next = location.pathname + location.search;
    return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Shell />;
}

function Home() {
  const { user } = useSession();
  return <Navigate to={user ? homeOf(user.role) : '/sign-in'} replace />;
}

const ticketRoutes = () => import('@/features/ticket');
registerTicketChunk(ticketRoutes);
const adminRoutes = () => import('@/features/admin');
const automationRoutes = () => import('@/features/automations');
const kpiRoutes = () => import('@/features/kpis');
const retentionRoutes = () => import('@/features/retention-summary');

export const router = createBrowserRouter([
  {
    element: <Root />,
    errorElement: <ProblemPage code="INTERNAL" />,
    children: [
      { path: '/sign-in', element: <SignInRoute /> },
      { path: '/forgot-password', element: <ForgotPasswordRoute /> },
      { path: '/reset-password', element: <ResetPasswordRoute /> },
      {
        element: <RequireSession />,
        children: [
          { index: true, element: <Home /> },
          { path: 'queue/:view', element: <QueueRoute /> },
          {
            path: 'tickets/new',
            lazy: async () => ({ Component: (await ticketRoutes()).NewTicketRoute }),
          },
          {
            path: 'tickets/:id',
            lazy: async () => ({ Component: (await ticketRoutes()).TicketRoute }),
          },
          { path: 'kpis', lazy: async () => ({ Component: (await kpiRoutes()).KpiRoute }) },
          {
            path: 'automations/rules',
            lazy: async () => ({ Component: (await automationRoutes()).RulesRoute }),
          },
          {
            path: 'automations/fields',
            lazy: async () => ({ Component: (await automationRoutes()).CustomFieldsRoute }),
          },
          {
            path: 'views/:id',
            lazy: async () => ({ Component: (await automationRoutes()).SavedViewRoute }),
          },
          {
            path: 'retention',
            lazy: async () => ({ Component: (await retentionRoutes()).RetentionRoute }),
          },
          {
            path: 'risk',
            lazy: async () => ({ Component: (await import('@/features/risk')).RiskListRoute }),
          },
          {
            path: 'customers/:id',
            lazy: async () => ({
              Component: (await import('@/features/customer-page')).CustomerRoute,
            }),
          },
          {
            path: 'admin/*',
            lazy: async () => ({ Component: (await adminRoutes()).AdminRoute }),
          },
          { path: '*', element: <ProblemPage code="NOT_FOUND" /> },
        ],
      },
    ],
  },
]);
