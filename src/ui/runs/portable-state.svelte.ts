// Export and import in the Runs step: the whole project as one zip (streamed into a Blob), a run's samples with
// their SunGen weights as JSONL or CSV, and importing a project zip (validated completely, then stored in one
// transaction; runs and trainings already here are skipped). Messages say what happened or what to fix.
import { version as APP_VERSION, dependencies } from '../../../package.json';
import { exportProject, importProject, readProject, MAX_PROJECT_BYTES } from '../../core/portable/project.ts';
import { sampleFileRows, toCsv, toJsonl } from '../../core/portable/samples-file.ts';
import { checkFileSize } from '../../core/portable/text.ts';
import { modelFromRecord, summariseTraining, weightsBySampleId } from '../../core/runs/record.ts';
import { CLASSIFIER_SNIPPET, exportClassifier } from '../../core/portable/classifier-export.ts';
import { zipToBytes } from '../../core/portable/zip.ts';
import { TOKEN_RE } from '../../core/data/tokenizer.ts';
import { dateStamp, downloadBlob, fileSafe } from '../shared/download.ts';
import { notifyRunsChanged } from '../shared/runs-changed.ts';
import type { RunsController } from './runs-state.svelte.ts';
import { BusyTask } from '../shared/busy-task.svelte.ts';

export class PortableController extends BusyTask {
  constructor(private readonly runs: RunsController) {
    super();
  }

  exportProject(): Promise<void> {
    return this.task(async () => {
      const store = this.runs.store;
      if (!store) throw new Error('The database is not open.');
      const parts: BlobPart[] = [];
      const s = await exportProject(store, { appVersion: APP_VERSION, onChunk: (c) => parts.push(c as Uint8Array<ArrayBuffer>) });
      const stamp = dateStamp();
      downloadBlob(new Blob(parts, { type: 'application/zip' }), `sungen-lab-project-${stamp}.zip`);
      return `Exported ${s.runs} run(s), ${s.samples} samples, ${s.trainings} training(s) and ${s.testSets} test set(s) (${(s.bytes / 1024).toFixed(0)} KB).`;
    });
  }

  importProject(file: File): Promise<void> {
    return this.task(async () => {
      const store = this.runs.store;
      if (!store) throw new Error('The database is not open.');
      checkFileSize(file.size, MAX_PROJECT_BYTES, file.name, 'a project file');
      const contents = await readProject(new Uint8Array(await file.arrayBuffer()), file.name);
      const r = await importProject(store, contents);
      await this.runs.refresh();
      if (!this.runs.current && this.runs.runs.length) await this.runs.select(this.runs.runs[0].id);
      notifyRunsChanged();
      const skipped = r.runsSkipped || r.trainingsSkipped ? ` Already here, skipped: ${r.runsSkipped} run(s), ${r.trainingsSkipped} training(s).` : '';
      return `Imported ${file.name}: ${r.runsAdded} run(s) with ${r.samplesAdded} samples, ${r.trainingsAdded} training(s), ${r.testSetsAdded} test set(s).${skipped}`;
    });
  }

  /** The current run's samples; with `trainingId`, each sample's weight from that training. */
  exportSamples(format: 'jsonl' | 'csv', trainingId: string | null): Promise<void> {
    return this.task(async () => {
      const store = this.runs.store;
      const run = this.runs.current;
      if (!store || !run) throw new Error('Select a run first.');
      const samples = await store.getSamples(run.id);
      let weights: Map<number, number> | undefined;
      if (trainingId) {
        const rec = await store.getTraining(trainingId);
        if (!rec) throw new Error('That training no longer exists.');
        weights = weightsBySampleId(rec);
      }
      const rows = sampleFileRows(samples, weights);
      const text = format === 'csv' ? toCsv(rows) : toJsonl(rows);
      const type = format === 'csv' ? 'text/csv' : 'application/jsonl';
      downloadBlob(new Blob([text], { type: `${type};charset=utf-8` }), `${fileSafe(run.name)}-samples.${format}`);
      return `Exported ${rows.length} samples${weights ? ' with weights' : ''} as ${format.toUpperCase()}.`;
    });
  }

  /** A training's classifier as tfjs graph-model files + metadata.json (and a README with the loading snippet), zipped. */
  exportClassifier(trainingId: string): Promise<void> {
    return this.task(async () => {
      const store = this.runs.store;
      if (!store) throw new Error('The database is not open.');
      const rec = await store.getTraining(trainingId);
      if (!rec) throw new Error('That training no longer exists.');
      const summary = summariseTraining(rec);
      const run = await store.getRun(rec.runId);
      const evs = summary.evaluations;
      const files = exportClassifier(modelFromRecord(rec), {
        versions: { app: APP_VERSION, tfjs: dependencies['@tensorflow/tfjs'], trainedOnBackend: summary.backend },
        seeds: { training: summary.settings.seed, ...(run ? { generation: run.config.sampling.seed } : {}) },
        testAccuracy: evs.map((ev) => ({ testSet: ev.testName, accuracy: ev.accuracy, macroF1: ev.macroF1 })),
        training: { ...summary.settings, runId: rec.runId, runName: run?.name ?? '', trainingId: rec.id },
        tokenPattern: TOKEN_RE,
      });
      const readme = `# SunGen Lab classifier\n\nLoad model.json + metadata.json (keep weights.bin beside them) in any page with TensorFlow.js 4.x:\n\n\`\`\`html\n${CLASSIFIER_SNIPPET}\n\`\`\`\n`;
      const zip = await zipToBytes({ ...files, 'README.md': new TextEncoder().encode(readme) });
      const name = fileSafe(`${run?.name ?? 'run'}-${summary.settings.model}-classifier`);
      downloadBlob(new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), `${name}.zip`);
      const acc = evs.map((ev) => `${ev.testName} accuracy ${(100 * ev.accuracy).toFixed(1)} %`).join(', ');
      return `Exported the ${summary.settings.model} classifier${acc ? ` (${acc})` : ''} as tfjs model files.`;
    });
  }
}
