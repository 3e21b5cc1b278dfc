/** What POST /imports/uploads answers. */
export interface UploadedFile {
  path: string;
  fileName: string;
  size: number;
}

/** Streams a CSV to the server's import folder (session cookie); the server's sentence on failure. */
export async function uploadImportFile(file: File): Promise<UploadedFile> {
  const body = new FormData();
  body.append('file', file, file.name);
  let res: Response;
  try {
    res = await fetch('/imports/uploads', { method: 'POST', body, credentials: 'same-origin' });
  } catch {
    throw new Error('Staydesk cannot be reached right now. Try the upload again.');
  }
  const json = (await res.json().catch(() => null)) as
    (UploadedFile & { error?: { message: string } }) | null;
  if (!res.ok) {
    if (res.status === 413 && !json?.error)
      throw new Error('The file is larger than the upload limit.');
    throw new Error(json?.error?.message ?? `The upload failed (HTTP ${res.status}).`);
  }
  return json!;
}

export const rejectsUrl = (runId: string) => `/imports/${encodeURIComponent(runId)}/rejects.csv`;
