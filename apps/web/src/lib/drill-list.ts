import { useEffect, useRef, useState } from 'react';
import { apiProblem, type ApiProblem } from './errors';

/** Rows a drill-down list asks for at a time ("Load 25 more"). */
export const DRILL_PAGE = 25;

/** What a drill-down opens: a figure, its scope in words and the lists it can show. */
export interface DrillListTarget<O> {
  /** "First response · median" */
  figure: string;
  /** "Billing · week of 1 Dec 2025" */
  scope: string;
  options: O[];
}

/** One page of a connection, as the api answers it. */
export interface CursorPage<E> {
  edges: E[];
  totalCount?: number | null;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}

/** The state of a drill-down list, for `ListDrawer`. */
export interface DrillList<O, E> {
  choice: number;
  setChoice(choice: number): void;
  /** the chosen list (the first when the choice is out of range) */
  option: O | undefined;
  edges: E[];
  /** null until the api has counted (it may count only on the first page) */
  total: number | null;
  /** the cursor of the next page, null when the last page is in */
  next: string | null;
  loading: boolean;
  problem: ApiProblem | null;
  loadMore(): void;
}

/**
 * The rows behind a figure, paged by cursor: restarts at the first list and page when the target
 * changes, and at the first page when another list is chosen; an answer to an earlier request is
 * dropped.
 */
export function useDrillList<T extends DrillListTarget<unknown>, E>(
  target: T | null,
  fetchPage: (
    target: T,
    option: T['options'][number],
    after: string | null,
    first: number,
  ) => Promise<CursorPage<E>>,
): DrillList<T['options'][number], E> {
  const [choice, setChoice] = useState(0);
  const [edges, setEdges] = useState<E[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const option = target?.options[choice] ?? target?.options[0];
  const request = useRef(0);

  async function load(after: string | null) {
    if (!target || !option) return;
    const id = ++request.current;
    setLoading(true);
    try {
      const page = await fetchPage(target, option, after, DRILL_PAGE);
      if (id !== request.current) return;
      setEdges((prev) => (after ? [...prev, ...page.edges] : page.edges));
      // null only on a page the api did not count: keep what an earlier page said
      setTotal((prev) => page.totalCount ?? (after ? prev : null));
      setNext(page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? null) : null);
      setProblem(null);
    } catch (e) {
      if (id === request.current) setProblem(apiProblem(e));
    } finally {
      if (id === request.current) setLoading(false);
    }
  }

  useEffect(() => {
    setChoice(0);
  }, [target]);
  useEffect(() => {
    setEdges([]);
    setTotal(null);
    setNext(null);
    void load(null);
  }, [target, choice]);

  return {
    choice,
    setChoice,
    option,
    edges,
    total,
    next,
    loading,
    problem,
    loadMore: () => void load(next),
  };
}
