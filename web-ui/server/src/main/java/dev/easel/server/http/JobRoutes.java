package dev.easel.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.server.store.JobDetail;
import dev.easel.server.store.JobPage;
import dev.easel.server.store.JobQuery;
import dev.easel.server.store.JobStatus;
import dev.easel.server.store.JobStore;
import dev.easel.server.store.JobSummary;
import io.javalin.http.Context;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code GET /api/jobs} and {@code GET /api/jobs/{job_id}} (api-contract §2.1, ComfyUI's {@code comfy_execution/jobs.py}):
 * queue and history as one list of jobs, filtered, sorted and paged by the store. Bad parameters get 400
 * {@code {"error": str}} with ComfyUI's messages; an unknown id 404 {@code {"error": "Job not found"}}.
 */
public final class JobRoutes {

    private static final String VALID_STATUSES = Arrays.stream(JobStatus.values()).map(JobStatus::wireName)
            .collect(Collectors.joining(", "));

    private final JobStore store;
    private final ObjectMapper json;

    public JobRoutes(JobStore store, ObjectMapper json) {
        this.store = store;
        this.json = json;
    }

    /** A query parameter that is not acceptable; its message is the 400's {@code error}. */
    private static final class BadParameter extends Exception {
        BadParameter(String message) {
            super(message, null, false, false);
        }
    }

    public void list(Context ctx) {
        JobQuery query;
        try {
            query = query(ctx);
        } catch (BadParameter e) {
            ctx.status(400).json(Map.of("error", e.getMessage()));
            return;
        }
        JobPage page = store.jobs(query);
        List<Object> jobs = new ArrayList<>(page.jobs().size());
        for (JobSummary summary : page.jobs()) {
            jobs.add(entry(summary));
        }
        Map<String, Object> pagination = new LinkedHashMap<>();
        pagination.put("offset", query.offset());
        pagination.put("limit", query.limit() < 0 ? null : query.limit());
        pagination.put("total", page.total());
        pagination.put("has_more", (long) query.offset() + jobs.size() < page.total());
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("jobs", jobs);
        reply.put("pagination", pagination);
        ctx.json(reply);
    }

    public void one(Context ctx) {
        Optional<JobDetail> found = store.job(ctx.pathParam("job_id"));
        if (found.isEmpty()) {
            ctx.status(404).json(Map.of("error", "Job not found"));
            return;
        }
        JobDetail detail = found.get();
        ObjectNode job = entry(detail.summary());
        if (detail.historyJson() != null) {
            JsonNode history = readOrNull(detail.historyJson());
            job.set("outputs", JobOutputs.normalize(history == null ? null : history.get("outputs")));
            job.set("execution_status", history == null || history.get("status") == null
                    ? json.nullNode() : history.get("status"));
        }
        ObjectNode workflow = job.putObject("workflow");
        workflow.set("prompt", readOrText(detail.job().promptJson()));
        workflow.set("extra_data", readOrText(detail.job().extraDataJson()));
        ctx.json(job);
    }

    /** A job as the list shows it; absent values are left out, as ComfyUI's {@code prune_dict} does. */
    private ObjectNode entry(JobSummary job) {
        ObjectNode entry = json.createObjectNode();
        entry.put("id", job.promptId());
        entry.put("status", job.status().wireName());
        entry.put("priority", job.number());
        entry.put("create_time", job.createdAtMillis());
        if (job.startedAtMillis() != null) {
            entry.put("execution_start_time", job.startedAtMillis());
        }
        if (job.endedAtMillis() != null) {
            entry.put("execution_end_time", job.endedAtMillis());
        }
        if (job.errorJson() != null) {
            entry.set("execution_error", readOrText(job.errorJson()));
        }
        JobOutputs.Summary outputs = JobOutputs.summarize(job.outputsJson() == null ? null
                : readOrNull(job.outputsJson()));
        entry.put("outputs_count", outputs.count());
        entry.put("previewable_outputs_count", outputs.previewableCount());
        if (outputs.preview() != null) {
            entry.set("preview_output", outputs.preview());
        }
        if (job.workflowId() != null) {
            entry.put("workflow_id", job.workflowId());
        }
        return entry;
    }

    /** The query ComfyUI's handler accepts, with its defaults (newest first, no limit) and its error messages. */
    private static JobQuery query(Context ctx) throws BadParameter {
        Set<JobStatus> statuses = EnumSet.allOf(JobStatus.class);
        String status = ctx.queryParam("status");
        if (status != null && !status.isEmpty()) {
            statuses = EnumSet.noneOf(JobStatus.class);
            List<String> invalid = new ArrayList<>();
            for (String part : status.split(",")) {
                String name = part.strip().toLowerCase(Locale.ROOT);
                if (name.isEmpty()) {
                    continue;
                }
                Optional<JobStatus> known = JobStatus.fromWireName(name);
                if (known.isPresent()) {
                    statuses.add(known.get());
                } else {
                    invalid.add(name);
                }
            }
            if (!invalid.isEmpty()) {
                throw new BadParameter("Invalid status value(s): " + String.join(", ", invalid) + ". Valid values: "
                        + VALID_STATUSES);
            }
        }
        String sortBy = Optional.ofNullable(ctx.queryParam("sort_by")).orElse("created_at").toLowerCase(Locale.ROOT);
        JobQuery.Order order = switch (sortBy) {
            case "created_at" -> JobQuery.Order.CREATED_AT;
            case "execution_duration" -> JobQuery.Order.EXECUTION_DURATION;
            default -> throw new BadParameter("sort_by must be 'created_at' or 'execution_duration'");
        };
        String sortOrder = Optional.ofNullable(ctx.queryParam("sort_order")).orElse("desc").toLowerCase(Locale.ROOT);
        if (!sortOrder.equals("asc") && !sortOrder.equals("desc")) {
            throw new BadParameter("sort_order must be 'asc' or 'desc'");
        }
        int limit = -1;
        if (ctx.queryParam("limit") != null) {
            BigInteger value = integer(ctx.queryParam("limit"), "limit must be an integer");
            if (value.signum() <= 0) {
                throw new BadParameter("limit must be a positive integer");
            }
            limit = clamp(value);
        }
        int offset = 0;
        if (ctx.queryParam("offset") != null) {
            offset = Math.max(0, clamp(integer(ctx.queryParam("offset"), "offset must be an integer")));
        }
        String workflowId = ctx.queryParam("workflow_id");
        return new JobQuery(statuses, workflowId == null || workflowId.isEmpty() ? null : workflowId, order,
                sortOrder.equals("desc"), limit, offset);
    }

    /** Python's {@code int(text)} for decimal text: surrounding blanks and a sign allowed. */
    private static BigInteger integer(String text, String error) throws BadParameter {
        try {
            return new BigInteger(text.strip());
        } catch (NumberFormatException e) {
            throw new BadParameter(error);
        }
    }

    private static int clamp(BigInteger value) {
        return value.max(BigInteger.valueOf(Integer.MIN_VALUE)).min(BigInteger.valueOf(Integer.MAX_VALUE)).intValue();
    }

    private JsonNode readOrNull(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private JsonNode readOrText(String text) {
        JsonNode node = readOrNull(text);
        return node != null ? node : json.getNodeFactory().textNode(text);
    }
}
