import { useQuery } from '@apollo/client/react';
import { Alert, Button, FileInput, Group, Paper, Select, Stack, Stepper } from '@mantine/core';
import { useEffect, useState } from 'react';
import { AdminImportPreviewDocument, type ImportKind, type StartImportInput } from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { uploadImportFile, type UploadedFile } from '../api/upload';
import { RunPanel, RecentRuns } from './ImportRuns';
import { MappingStep } from './ImportMapping';

const KINDS: { value: ImportKind; label: string }[] = [
  { value: 'customers', label: 'Customers (one row per customer)' },
  { value: 'tickets', label: 'Tickets (one row per ticket)' },
  { value: 'events', label: 'Event log (one row per ticket event)' },
];

/**
 * History import in the browser: upload a CSV, see its first rows, map columns (and an event
 * log's activities) from the proposals, dry-run, import, follow the progress, get the rejects.
 */
export function ImportPage() {
  const [kind, setKind] = useState<ImportKind>('tickets');
  const [file, setFile] = useState<File | null>(null);
  const [uploaded, setUploaded] = useState<UploadedFile | null>(null);
  const [uploading, setUploading] = useState(false);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [dryRunId, setDryRunId] = useState<string | null>(null);
  const [input, setInput] = useState<StartImportInput | null>(null);
  const [runId, setRunId] = useState<string | null>(null);
  useEffect(() => {
    document.title = 'Import · Admin · Staydesk';
  }, []);
  const preview = useQuery(AdminImportPreviewDocument, {
    variables: { path: uploaded?.path ?? '', kind },
    skip: !uploaded,
    fetchPolicy: 'network-only',
  });
  const step = runId ? 3 : dryRunId ? 2 : uploaded && preview.data ? 1 : 0;

  const upload = async () => {
    if (!file) {
      setUploadError('Choose a CSV file first.');
      return;
    }
    setUploading(true);
    setUploadError(null);
    try {
      setUploaded(await uploadImportFile(file));
    } catch (err) {
      setUploadError((err as Error).message);
    } finally {
      setUploading(false);
    }
  };
  const restart = () => {
    setUploaded(null);
    setFile(null);
    setDryRunId(null);
    setRunId(null);
  };

  return (
    <Stack gap="lg">
      <Stepper active={step} size="sm" allowNextStepsSelect={false}>
        <Stepper.Step label="Upload" description="A CSV file" />
        <Stepper.Step label="Map" description="Columns and activities" />
        <Stepper.Step label="Dry run" description="Check what changes" />
        <Stepper.Step label="Import" description="Progress and rejects" />
      </Stepper>
      {step === 0 && (
        <Paper withBorder radius="md" p="lg">
          <Stack maw={560}>
            <Select
              label="What the file holds"
              data={KINDS}
              value={kind}
              onChange={(v) => v && setKind(v as ImportKind)}
              allowDeselect={false}
            />
            <FileInput
              label="CSV file"
              description="UTF-8 text with a header row; .csv, .tsv or .txt"
              placeholder="Choose a file"
              accept=".csv,.tsv,.txt,text/csv,text/plain"
              value={file}
              onChange={(f) => {
                setFile(f);
                setUploadError(null);
              }}
              error={uploadError}
              clearable
            />
            {preview.error && <Alert color="red">{apiProblem(preview.error)?.message}</Alert>}
            <Group>
              <Button onClick={() => void upload()} loading={uploading || preview.loading}>
                Upload and preview
              </Button>
            </Group>
          </Stack>
        </Paper>
      )}
      {step === 1 && preview.data && uploaded && (
        <MappingStep
          preview={preview.data.importPreview}
          kind={kind}
          file={uploaded}
          onCancel={restart}
          onDryRun={(id, given) => {
            setInput(given);
            setDryRunId(id);
          }}
        />
      )}
      {step === 2 && dryRunId && (
        <RunPanel
          runId={dryRunId}
          input={input}
          onBack={() => setDryRunId(null)}
          onStart={(id) => setRunId(id)}
        />
      )}
      {step === 3 && runId && <RunPanel runId={runId} onRestart={restart} />}
      <RecentRuns />
    </Stack>
  );
}
