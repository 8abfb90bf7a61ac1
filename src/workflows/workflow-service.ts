import type { WorkflowCreateRequest, WorkflowUpdateRequest } from '../contracts/index.js';
import type { Clock, IdGenerator } from '../core/index.js';
import { invalidState, notFound } from '../errors/index.js';
import type { Store } from '../store/index.js';
import { olderThan, writeJson } from '../store/index.js';
import { checkInputsSchema, validateDefinition } from './definition/index.js';
import type { WorkflowRow } from './workflow-row.js';

export interface ListOptions {
  limit: number;
  startingAfter?: string;
}

/** Saved workflows: versioned definitions an organization runs by id. */
export class WorkflowService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async create(
    organizationId: string,
    request: WorkflowCreateRequest,
    requestId: string,
  ): Promise<WorkflowRow> {
    validateDefinition(request.definition);
    checkInputsSchema(request.inputs_schema, 'body.inputs_schema');
    await this.refuseTakenSlug(organizationId, request.slug);
    const now = this.clock.now().toISOString();
    const row: WorkflowRow = {
      id: this.ids.uuid(),
      organization_id: organizationId,
      name: request.name,
      slug: request.slug,
      version: 1,
      definition: writeJson(request.definition),
      inputs_schema: request.inputs_schema ? writeJson(request.inputs_schema) : null,
      description: request.description ?? null,
      status: 'active',
      metadata: request.metadata ? writeJson(request.metadata) : null,
      request_id: requestId,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.store.db.insertInto('workflows').values(row).execute();
    } catch (error) {
      // Two creates racing for one slug: the unique constraint lets one through.
      await this.refuseTakenSlug(organizationId, request.slug);
      throw error;
    }
    return row;
  }

  async get(organizationId: string, workflowId: string): Promise<WorkflowRow> {
    const row = await this.store.db
      .selectFrom('workflows')
      .selectAll()
      .where('id', '=', workflowId)
      .where('organization_id', '=', organizationId)
      .executeTakeFirst();
    if (!row) {
      throw notFound('workflow', workflowId);
    }
    return row;
  }

  async list(organizationId: string, options: ListOptions): Promise<WorkflowRow[]> {
    let query = this.store.db
      .selectFrom('workflows')
      .selectAll()
      .where('organization_id', '=', organizationId);
    if (options.startingAfter) {
      query = query.where(olderThan(await this.get(organizationId, options.startingAfter)));
    }
    return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
  }

  /** Changes what the request names and bumps the version; runs keep the version they began. */
  async update(
    organizationId: string,
    workflowId: string,
    request: WorkflowUpdateRequest,
  ): Promise<WorkflowRow> {
    if (request.definition) {
      validateDefinition(request.definition);
    }
    checkInputsSchema(request.inputs_schema, 'body.inputs_schema');
    const current = await this.get(organizationId, workflowId);
    const changes = {
      ...(request.name !== undefined ? { name: request.name } : {}),
      ...(request.definition ? { definition: writeJson(request.definition) } : {}),
      ...(request.inputs_schema !== undefined
        ? { inputs_schema: request.inputs_schema ? writeJson(request.inputs_schema) : null }
        : {}),
      ...(request.description !== undefined ? { description: request.description } : {}),
      ...(request.status ? { status: request.status } : {}),
      ...(request.metadata !== undefined
        ? { metadata: request.metadata ? writeJson(request.metadata) : null }
        : {}),
    };
    const row = await this.store.db
      .updateTable('workflows')
      .set({ ...changes, version: current.version + 1, updated_at: this.now() })
      .where('id', '=', workflowId)
      .where('version', '=', current.version)
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      throw invalidState(`Workflow ${workflowId} changed meanwhile; read it and try again.`);
    }
    return row;
  }

  /** Archives the workflow: it stays readable with its runs, but starts no new run. */
  async archive(organizationId: string, workflowId: string): Promise<WorkflowRow> {
    const current = await this.get(organizationId, workflowId);
    if (current.status === 'archived') {
      return current;
    }
    return this.update(organizationId, workflowId, { status: 'archived' });
  }

  private async refuseTakenSlug(organizationId: string, slug: string): Promise<void> {
    const taken = await this.store.db
      .selectFrom('workflows')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('slug', '=', slug)
      .executeTakeFirst();
    if (taken) {
      throw invalidState(`A workflow with slug '${slug}' exists already (${taken.id}).`, {
        workflow_id: taken.id,
      });
    }
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}
