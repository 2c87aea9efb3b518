package dev.easel.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;

/**
 * {@link JobStore} in one SQLite file (xerial sqlite-jdbc).
 *
 * <p>One connection, guarded by one lock, serves every call of this instance. Every change runs in a
 * {@code BEGIN IMMEDIATE} transaction, which takes SQLite's write lock before it reads anything, so a claim (read the
 * lowest queued job, mark it running) is atomic also against other connections or processes on the same file; they
 * wait for the lock up to {@link #BUSY_TIMEOUT_MILLIS}.
 *
 * <p>Durability: the file is in WAL mode with {@code synchronous=NORMAL}. A commit appends the transaction to the WAL
 * file with a plain write, without fsync; the data is then in the OS page cache, so it survives the death of the
 * process (a crash, {@code kill -9}) - the case this store is for. Only an OS crash or power loss can lose the last
 * commits before the next checkpoint (the database stays consistent; it just goes back a little). {@code FULL} would
 * fsync the WAL on every commit, four times per job (nextNumber, enqueue, claim, finish): measured on the 2-core
 * development VM, nextNumber+enqueue+claimNext+finish took 1.2 to 2.1 ms a job with {@code FULL} against 0.24 to 0.45
 * ms with {@code NORMAL} (about 0.15 ms of it CPU), and the server's target is more than 1,000 trivial prompts a second
 * end to end.
 *
 * <p>Ordering: queued jobs by {@code number}, then prompt id (as ComfyUI's heap); history by finish time, then by the
 * order of insertion.
 *
 * <p>Layout (schema version 3): {@code schema_version} (one row: the version, so later versions can migrate),
 * {@code counters} (the number counters), {@code jobs} (queued and running), {@code history} (finished, with the
 * history entry as text). Version 2 adds {@code jobs.attempts} (how often a job was claimed) and {@code job_files}
 * (the result files of running jobs, see {@link FileNote}). Version 3 adds {@code history_jobs}: per finished job what
 * {@code /api/jobs} filters, sorts and lists (status, start and end times, workflow id, outputs, error), derived by
 * SQLite from the entry when it is inserted and removed with it (triggers), so listing jobs never reads or parses the
 * large entries.
 */
public final class SqliteJobStore implements JobStore {

    /** The schema this code writes; {@link #open} migrates older files up to it and refuses newer ones. */
    static final int SCHEMA_VERSION = 3;

    /** How long a call waits for another connection's write lock before it fails. */
    static final int BUSY_TIMEOUT_MILLIS = 30_000;

    /** The message of a job failed by {@link Recovery#FAIL}. */
    static final String STOPPED_MESSAGE = "the server stopped while this job ran";

    /** {@code extra_data} keys that ComfyUI keeps out of history (API credentials). */
    private static final List<String> SENSITIVE_EXTRA_DATA = List.of("auth_token_comfy_org", "api_key_comfy_org");

    private static final int QUEUED = 0;
    private static final int RUNNING = 1;

    private static final String JOB_COLUMNS = "prompt_id, number, prompt, extra_data, client_id, outputs, created_at";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {};

    private final Path file;
    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private boolean closed;

    private SqliteJobStore(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    /**
     * Opens the store in {@code file}, creating the file (and its parent folders) and the schema when missing.
     *
     * @throws UncheckedIOException when the folder cannot be created
     * @throws StoreException when the database cannot be opened, or was written by a newer schema
     */
    public static SqliteJobStore open(Path file) {
        Path absolute = file.toAbsolutePath();
        try {
            if (absolute.getParent() != null) {
                Files.createDirectories(absolute.getParent());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the folder of the job store " + absolute, e);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        SqliteJobStore store;
        try {
            store = new SqliteJobStore(absolute, config.createConnection("jdbc:sqlite:" + absolute));
        } catch (SQLException e) {
            throw new StoreException("cannot open the job store " + absolute + ": " + e.getMessage(), e);
        }
        try {
            store.write("create or migrate the schema", store::migrate);
            return store;
        } catch (RuntimeException e) {
            try {
                store.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The database file. */
    public Path file() {
        return file;
    }

    // ---------------------------------------------------------------------------------------------------- schema

    /** Brings the schema up to {@link #SCHEMA_VERSION}; runs inside a write transaction. */
    private Void migrate() throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
            int version = 0;
            try (ResultSet rs = s.executeQuery("SELECT max(version) FROM schema_version")) {
                if (rs.next()) {
                    version = rs.getInt(1);
                }
            }
            if (version > SCHEMA_VERSION) {
                throw new StoreException("the job store " + file + " has schema version " + version
                        + ", newer than this Easel understands (" + SCHEMA_VERSION + ")", null);
            }
            if (version < 1) {
                s.execute("CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
                // next: the next ordinary number (ComfyUI's counter starts at 0); front: the last front number.
                s.execute("INSERT INTO counters (name, value) VALUES ('next', 0), ('front', 0)");
                s.execute("CREATE TABLE jobs (prompt_id TEXT PRIMARY KEY, number INTEGER NOT NULL,"
                        + " state INTEGER NOT NULL, prompt TEXT NOT NULL, extra_data TEXT NOT NULL, client_id TEXT,"
                        + " outputs TEXT NOT NULL, created_at INTEGER NOT NULL)");
                s.execute("CREATE INDEX jobs_by_state_number ON jobs (state, number, prompt_id)");
                s.execute("CREATE TABLE history (seq INTEGER PRIMARY KEY, prompt_id TEXT NOT NULL UNIQUE,"
                        + " number INTEGER NOT NULL, prompt TEXT NOT NULL, extra_data TEXT NOT NULL, client_id TEXT,"
                        + " outputs TEXT NOT NULL, created_at INTEGER NOT NULL, history TEXT NOT NULL,"
                        + " finished_at INTEGER NOT NULL)");
                s.execute("CREATE INDEX history_by_finish ON history (finished_at)");
                s.execute("DELETE FROM schema_version");
                s.execute("INSERT INTO schema_version (version) VALUES (1)");
            }
            if (version < 2) {
                s.execute("ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0");
                s.execute("CREATE TABLE job_files (prompt_id TEXT NOT NULL, target TEXT NOT NULL,"
                        + " staging TEXT NOT NULL, published INTEGER NOT NULL, PRIMARY KEY (prompt_id, target))");
                s.execute("DELETE FROM schema_version");
                s.execute("INSERT INTO schema_version (version) VALUES (2)");
            }
            if (version < 3) {
                s.execute("CREATE TABLE history_jobs (seq INTEGER PRIMARY KEY, prompt_id TEXT NOT NULL,"
                        + " number INTEGER NOT NULL, created_at INTEGER NOT NULL, status TEXT NOT NULL,"
                        + " started_at INTEGER, ended_at INTEGER, workflow_id TEXT, outputs TEXT, error TEXT)");
                s.execute("INSERT INTO history_jobs " + historyJobRow("history", "history.") + " FROM history");
                s.execute("CREATE TRIGGER history_jobs_insert AFTER INSERT ON history BEGIN INSERT INTO history_jobs "
                        + historyJobRow("NEW.history", "NEW.") + "; END");
                s.execute("CREATE TRIGGER history_jobs_delete AFTER DELETE ON history BEGIN"
                        + " DELETE FROM history_jobs WHERE seq = OLD.seq; END");
                s.execute("CREATE TRIGGER history_jobs_update AFTER UPDATE ON history BEGIN"
                        + " DELETE FROM history_jobs WHERE seq = OLD.seq; INSERT INTO history_jobs "
                        + historyJobRow("NEW.history", "NEW.") + "; END");
                s.execute("UPDATE schema_version SET version = 3");
            }
            // Later versions: "if (version < 4) { ALTER ...; UPDATE schema_version SET version = 4; }".
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------------- numbers

    @Override
    public long nextNumber(boolean front) {
        return write("give a number", () -> front ? frontNumber() : takeNextNumber());
    }

    private long takeNextNumber() throws SQLException {
        long next = counter("next");
        setCounter("next", next + 1);
        return next;
    }

    /** A number below every queued one and below every front number given before (so front jobs run last-in first). */
    private long frontNumber() throws SQLException {
        long number = counter("front");
        try (ResultSet rs = sql("SELECT min(number) FROM jobs WHERE state = " + QUEUED).executeQuery()) {
            if (rs.next() && rs.getObject(1) != null) {
                number = Math.min(number, rs.getLong(1));
            }
        }
        setCounter("front", number - 1);
        return number - 1;
    }

    private long counter(String name) throws SQLException {
        PreparedStatement ps = sql("SELECT value FROM counters WHERE name = ?");
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new StoreException("the job store " + file + " has no counter " + name, null);
            }
            return rs.getLong(1);
        }
    }

    private void setCounter(String name, long value) throws SQLException {
        PreparedStatement ps = sql("UPDATE counters SET value = ? WHERE name = ?");
        ps.setLong(1, value);
        ps.setString(2, name);
        ps.executeUpdate();
    }

    // ---------------------------------------------------------------------------------------------------- queue

    @Override
    public void enqueue(Job job) {
        String outputs = checkNewJob(job);
        write("enqueue job " + job.promptId(), () -> {
            insertQueued(job, outputs);
            return null;
        });
    }

    /** Number and insert in one transaction (one commit, and a refused job uses up no number). */
    @Override
    public Job enqueueNumbered(Job job, boolean front) {
        String outputs = checkNewJob(job);
        return write("enqueue job " + job.promptId(), () -> {
            Job numbered = new Job(job.promptId(), front ? frontNumber() : takeNextNumber(), job.promptJson(),
                    job.extraDataJson(), job.clientId(), job.outputsToExecute(), job.createdAtMillis());
            insertQueued(numbered, outputs);
            return numbered;
        });
    }

    /** Checks what {@link #enqueue} needs; returns the outputs as JSON. */
    private static String checkNewJob(Job job) {
        if (job == null) {
            throw new IllegalArgumentException("cannot enqueue a null job");
        }
        String id = job.promptId();
        if (id == null) {
            throw new IllegalArgumentException("cannot enqueue a job without a prompt id (number " + job.number() + ")");
        }
        if (job.promptJson() == null) {
            throw new IllegalArgumentException("job " + id + " has no prompt JSON");
        }
        if (job.extraDataJson() == null) {
            throw new IllegalArgumentException("job " + id + " has no extra_data JSON (use \"{}\" when absent)");
        }
        return toJson(job.outputsToExecute());
    }

    private void insertQueued(Job job, String outputs) throws SQLException {
        String where = whereIs(job.promptId());
        if (where != null) {
            throw new IllegalArgumentException("job " + job.promptId() + " already exists (" + where + ")");
        }
        PreparedStatement ps = sql("INSERT INTO jobs (" + JOB_COLUMNS + ", state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        bindJob(ps, job, outputs);
        ps.setInt(8, QUEUED);
        ps.executeUpdate();
    }

    /** "queued", "running", "in history" or null. */
    private String whereIs(String promptId) throws SQLException {
        PreparedStatement ps = sql(
                "SELECT state FROM jobs WHERE prompt_id = ? UNION ALL SELECT -1 FROM history WHERE prompt_id = ?");
        ps.setString(1, promptId);
        ps.setString(2, promptId);
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            int state = rs.getInt(1);
            return state == QUEUED ? "queued" : state == RUNNING ? "running" : "in history";
        }
    }

    @Override
    public Optional<Job> claimNext() {
        return write("claim the next job", this::claimNextQueued);
    }

    private Optional<Job> claimNextQueued() throws SQLException {
        Optional<Job> next = selectJobs("WHERE state = " + QUEUED + " ORDER BY number, prompt_id LIMIT 1")
                .stream().findFirst();
        if (next.isPresent()) {
            PreparedStatement ps = sql("UPDATE jobs SET state = " + RUNNING + ", attempts = attempts + 1"
                    + " WHERE prompt_id = ?");
            ps.setString(1, next.get().promptId());
            ps.executeUpdate();
        }
        return next;
    }

    @Override
    public void finish(String promptId, String historyJson, long finishedAtMillis) {
        checkFinish(promptId, historyJson);
        write("finish job " + promptId, () -> {
            finishRunning(promptId, historyJson, finishedAtMillis);
            return null;
        });
    }

    /** Finish and claim in one transaction: one commit, and the pages both touch are written once. */
    @Override
    public Optional<Job> finishAndClaimNext(String promptId, String historyJson, long finishedAtMillis) {
        checkFinish(promptId, historyJson);
        return write("finish job " + promptId + " and claim the next", () -> {
            finishRunning(promptId, historyJson, finishedAtMillis);
            return claimNextQueued();
        });
    }

    private static void checkFinish(String promptId, String historyJson) {
        if (promptId == null) {
            throw new IllegalArgumentException("cannot finish a job without a prompt id");
        }
        if (historyJson == null) {
            throw new IllegalArgumentException("job " + promptId + " cannot be finished without a history entry");
        }
    }

    private void finishRunning(String promptId, String historyJson, long finishedAtMillis) throws SQLException {
        if (!moveToHistory(promptId, historyJson, finishedAtMillis)) {
            String where = whereIs(promptId);
            throw new IllegalStateException("job " + promptId + " is not running ("
                    + (where == null ? "unknown" : where) + ")");
        }
    }

    /** Moves the running job {@code promptId} into history; false when it is not running. */
    private boolean moveToHistory(String promptId, String historyJson, long finishedAtMillis) throws SQLException {
        PreparedStatement insert = sql("INSERT INTO history (" + JOB_COLUMNS + ", history, finished_at) SELECT "
                + JOB_COLUMNS + ", ?, ? FROM jobs WHERE prompt_id = ? AND state = " + RUNNING);
        insert.setString(1, historyJson);
        insert.setLong(2, finishedAtMillis);
        insert.setString(3, promptId);
        if (insert.executeUpdate() == 0) {
            return false;
        }
        PreparedStatement delete = sql("DELETE FROM jobs WHERE prompt_id = ?");
        delete.setString(1, promptId);
        delete.executeUpdate();
        forgetFiles(promptId);
        return true;
    }

    private void forgetFiles(String promptId) throws SQLException {
        PreparedStatement files = sql("DELETE FROM job_files WHERE prompt_id = ?");
        files.setString(1, promptId);
        files.executeUpdate();
    }

    /** The running job; when several are (claimed through several stores on one file), the lowest numbered. */
    @Override
    public int attempts(String promptId) {
        return read("read the attempts of " + promptId, () -> {
            PreparedStatement ps = sql("SELECT attempts FROM jobs WHERE prompt_id = ?");
            ps.setString(1, promptId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        });
    }

    @Override
    public List<Job> runningJobs() {
        return read("read the running jobs", () -> selectJobs("WHERE state = " + RUNNING + " ORDER BY number, prompt_id"));
    }

    @Override
    public Optional<Job> running() {
        return read("read the running job",
                () -> selectJobs("WHERE state = " + RUNNING + " ORDER BY number, prompt_id LIMIT 1").stream().findFirst());
    }

    @Override
    public List<Job> pending() {
        return read("read the queue", () -> selectJobs("WHERE state = " + QUEUED + " ORDER BY number, prompt_id"));
    }

    /** The jobs table holds exactly the queued and running jobs: one count over its primary key. */
    @Override
    public int remaining() {
        return read("count the queue", () -> {
            try (ResultSet rs = sql("SELECT count(*) FROM jobs").executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    @Override
    public boolean deletePending(String promptId) {
        if (promptId == null) {
            throw new IllegalArgumentException("cannot delete a queued job without a prompt id");
        }
        return write("delete queued job " + promptId, () -> {
            PreparedStatement ps = sql("DELETE FROM jobs WHERE prompt_id = ? AND state = " + QUEUED);
            ps.setString(1, promptId);
            return ps.executeUpdate() > 0;
        });
    }

    @Override
    public int clearPending() {
        return write("clear the queue", () -> sql("DELETE FROM jobs WHERE state = " + QUEUED).executeUpdate());
    }

    // ---------------------------------------------------------------------------------------------------- history

    private static final String FINISHED_COLUMNS = JOB_COLUMNS + ", history, finished_at";

    @Override
    public List<Finished> history(int offset, int max) {
        if (offset < 0) {
            throw new IllegalArgumentException("history offset must not be negative: " + offset);
        }
        return read("read the history", () -> {
            PreparedStatement ps = sql(
                    "SELECT " + FINISHED_COLUMNS + " FROM history ORDER BY finished_at, seq LIMIT ? OFFSET ?");
            ps.setInt(1, max < 0 ? -1 : max);
            ps.setInt(2, offset);
            return readFinished(ps);
        });
    }

    @Override
    public Optional<Finished> history(String promptId) {
        if (promptId == null) {
            throw new IllegalArgumentException("cannot look up the history of a null prompt id");
        }
        return read("read the history of " + promptId, () -> {
            PreparedStatement ps = sql("SELECT " + FINISHED_COLUMNS + " FROM history WHERE prompt_id = ?");
            ps.setString(1, promptId);
            return readFinished(ps).stream().findFirst();
        });
    }

    @Override
    public int historySize() {
        return read("count the history", () -> {
            try (ResultSet rs = sql("SELECT count(*) FROM history").executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    @Override
    public void deleteHistory(List<String> promptIds) {
        if (promptIds == null) {
            throw new IllegalArgumentException("cannot delete a null list of history entries");
        }
        write("delete history entries", () -> {
            PreparedStatement ps = sql("DELETE FROM history WHERE prompt_id = ?");
            for (String id : promptIds) {
                if (id != null) {
                    ps.setString(1, id);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    @Override
    public void clearHistory() {
        write("clear the history", () -> sql("DELETE FROM history").executeUpdate());
    }

    // ---------------------------------------------------------------------------------------------------- jobs view

    /*
     * What /api/jobs derives from a history entry, as ComfyUI's normalize_history_item does: "success" is completed,
     * "error" is cancelled when an execution_interrupted message is among the messages and failed otherwise; the
     * start time is that of the last execution_start message, the end time (and the error) that of the last final
     * message. Text that is not JSON, or messages that are not [name, data] pairs, give nulls (and "completed")
     * rather than an error that would refuse the finish.
     */

    /** The {@code history_jobs} row of a history row ({@code row}: its alias and a dot; {@code entry}: its entry). */
    private static String historyJobRow(String entry, String row) {
        return "SELECT " + row + "seq, " + row + "prompt_id, " + row + "number, " + row + "created_at,"
                + " CASE WHEN json_valid(" + entry + ") THEN"
                + " CASE json_extract(" + entry + ", '$.status.status_str') WHEN 'success' THEN 'completed'"
                + " WHEN 'error' THEN CASE WHEN EXISTS (SELECT 1 FROM json_each(" + entry + ", '$.status.messages')"
                + " WHERE " + MESSAGE_NAME + " = 'execution_interrupted') THEN 'cancelled' ELSE 'failed' END"
                + " ELSE 'completed' END ELSE 'completed' END,"
                + " " + lastMessage(entry, "'$[1].timestamp'", "= 'execution_start'") + ","
                + " " + lastMessage(entry, "'$[1].timestamp'", FINAL_MESSAGES) + ","
                + " " + workflowId(row + "extra_data") + ","
                + " (CASE WHEN json_valid(" + entry + ") THEN json_extract(" + entry + ", '$.outputs') END),"
                + " " + lastMessage(entry, "'$[1]'", "= 'execution_error'");
    }

    /** The name of the message in a {@code json_each} row over the messages (null when it is not a pair). */
    private static final String MESSAGE_NAME = "(CASE WHEN type = 'array' THEN json_extract(value, '$[0]') END)";
    private static final String FINAL_MESSAGES =
            "IN ('execution_success', 'execution_error', 'execution_interrupted')";

    /** {@code path} in the last message whose name matches {@code nameTest}; null when none (or not JSON). */
    private static String lastMessage(String entry, String path, String nameTest) {
        return "(CASE WHEN json_valid(" + entry + ") THEN (SELECT json_extract(value, " + path + ") FROM json_each("
                + entry + ", '$.status.messages') WHERE " + MESSAGE_NAME + " " + nameTest
                + " ORDER BY key DESC LIMIT 1) END)";
    }

    private static String workflowId(String column) {
        return "(CASE WHEN json_valid(" + column + ") THEN json_extract(" + column
                + ", '$.extra_pnginfo.workflow.id') END)";
    }

    /**
     * Queue and history as one relation of small rows. {@code grp} orders ties as ComfyUI's list does: the running
     * job, then the queue, then history.
     */
    private static final String ALL_JOBS = "SELECT prompt_id, number, created_at,"
            + " CASE state WHEN " + RUNNING + " THEN 'in_progress' ELSE 'pending' END AS status,"
            + " NULL AS started_at, NULL AS ended_at, " + workflowId("extra_data") + " AS workflow_id,"
            + " CASE state WHEN " + RUNNING + " THEN 0 ELSE 1 END AS grp, 0 AS seq, NULL AS outputs, NULL AS error"
            + " FROM jobs UNION ALL SELECT prompt_id, number, created_at, status, started_at, ended_at, workflow_id, 2,"
            + " seq, outputs, error FROM history_jobs";
    /** ?1..?5: the statuses (repeated to fill), ?6: the workflow id or null. */
    private static final String JOB_FILTER =
            " WHERE status IN (?1, ?2, ?3, ?4, ?5) AND (?6 IS NULL OR workflow_id = ?6)";
    private static final String DURATION = "(CASE WHEN started_at AND ended_at THEN ended_at - started_at ELSE 0 END)";

    @Override
    public JobPage jobs(JobQuery query) {
        if (query == null) {
            throw new IllegalArgumentException("job query must not be null");
        }
        if (query.statuses().isEmpty()) {
            return new JobPage(List.of(), 0);
        }
        String key = query.order() == JobQuery.Order.CREATED_AT ? "created_at" : DURATION;
        String direction = query.descending() ? " DESC" : " ASC";
        String page = "SELECT " + SUMMARY_COLUMNS + " FROM ("
                + ALL_JOBS + ")" + JOB_FILTER + " ORDER BY " + key + direction + ", grp, number, seq"
                + " LIMIT ?7 OFFSET ?8";
        String count = "SELECT count(*) FROM (" + ALL_JOBS + ")" + JOB_FILTER;
        return read("list jobs", () -> {
            PreparedStatement ps = sql(page);
            bindFilter(ps, query);
            ps.setInt(7, query.limit() < 0 ? -1 : query.limit());
            ps.setInt(8, query.offset());
            List<JobSummary> jobs = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    jobs.add(readSummary(rs, 1));
                }
            }
            PreparedStatement counting = sql(count);
            bindFilter(counting, query);
            int total;
            try (ResultSet rs = counting.executeQuery()) {
                rs.next();
                total = rs.getInt(1);
            }
            return new JobPage(jobs, total);
        });
    }

    private static void bindFilter(PreparedStatement ps, JobQuery query) throws SQLException {
        List<JobStatus> statuses = new ArrayList<>(query.statuses());
        for (int i = 0; i < 5; i++) {
            ps.setString(i + 1, statuses.get(Math.min(i, statuses.size() - 1)).wireName());
        }
        String workflow = query.workflowId();
        if (workflow == null) {
            ps.setNull(6, java.sql.Types.VARCHAR);
        } else {
            ps.setString(6, workflow);
        }
    }

    private static final String SUMMARY_COLUMNS =
            "prompt_id, number, created_at, status, started_at, ended_at, workflow_id, outputs, error";

    /** A finished job: the {@link #FINISHED_COLUMNS}, then the {@link #SUMMARY_COLUMNS}. */
    private static final String FINISHED_JOB = "SELECT " + FINISHED_COLUMNS.replaceAll("(\\w+)", "h.$1") + ", "
            + SUMMARY_COLUMNS.replaceAll("(\\w+)", "j.$1")
            + " FROM history h JOIN history_jobs j ON j.seq = h.seq WHERE h.prompt_id = ?";

    /** Reads the {@link #SUMMARY_COLUMNS} from column {@code first} on. */
    private static JobSummary readSummary(ResultSet rs, int first) throws SQLException {
        String status = rs.getString(first + 3);
        return new JobSummary(rs.getString(first), rs.getLong(first + 1), rs.getLong(first + 2),
                JobStatus.fromWireName(status).orElse(JobStatus.COMPLETED), nullableLong(rs, first + 4),
                nullableLong(rs, first + 5), rs.getString(first + 6), rs.getString(first + 7), rs.getString(first + 8));
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    @Override
    public Optional<JobDetail> job(String promptId) {
        if (promptId == null) {
            throw new IllegalArgumentException("cannot look up a job without a prompt id");
        }
        return read("read job " + promptId, () -> {
            PreparedStatement finished = sql(FINISHED_JOB);
            finished.setString(1, promptId);
            try (ResultSet rs = finished.executeQuery()) {
                if (rs.next()) {
                    return Optional.of(new JobDetail(readSummary(rs, 10), readJob(rs), rs.getString(8)));
                }
            }
            PreparedStatement queued = sql("SELECT " + JOB_COLUMNS + ", state, " + workflowId("extra_data")
                    + " FROM jobs WHERE prompt_id = ?");
            queued.setString(1, promptId);
            try (ResultSet rs = queued.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Job job = readJob(rs);
                JobStatus status = rs.getInt(8) == RUNNING ? JobStatus.IN_PROGRESS : JobStatus.PENDING;
                return Optional.of(new JobDetail(new JobSummary(job.promptId(), job.number(), job.createdAtMillis(),
                        status, null, null, rs.getString(9), null, null), job, null));
            }
        });
    }

    // ---------------------------------------------------------------------------------------------------- recovery

    @Override
    public List<Job> recover(Recovery recovery, long nowMillis) {
        if (recovery == null) {
            throw new IllegalArgumentException("recovery mode must not be null");
        }
        return write("recover running jobs (" + recovery + ")", () -> {
            List<Job> running = selectJobs("WHERE state = " + RUNNING + " ORDER BY number, prompt_id");
            List<Job> affected = new ArrayList<>();
            if (recovery == Recovery.REQUEUE) {
                // The last one first, so that after several front numbers the earliest job is again the lowest.
                for (int i = running.size() - 1; i >= 0; i--) {
                    Job job = running.get(i);
                    long number = frontNumber();
                    PreparedStatement ps = sql("UPDATE jobs SET state = " + QUEUED + ", number = ? WHERE prompt_id = ?");
                    ps.setLong(1, number);
                    ps.setString(2, job.promptId());
                    ps.executeUpdate();
                    forgetFiles(job.promptId());
                    affected.add(0, new Job(job.promptId(), number, job.promptJson(), job.extraDataJson(),
                            job.clientId(), job.outputsToExecute(), job.createdAtMillis()));
                }
            } else {
                for (Job job : running) {
                    moveToHistory(job.promptId(), stoppedHistoryEntry(job, nowMillis), nowMillis);
                    affected.add(job);
                }
            }
            return affected;
        });
    }

    // ---------------------------------------------------------------------------------------------------- files

    @Override
    public void noteStaging(String promptId, String target, String staging) {
        update("note a file of " + promptId, "INSERT OR REPLACE INTO job_files (prompt_id, target, staging, published)"
                + " VALUES (?, ?, ?, 0)", promptId, target, staging);
    }

    @Override
    public void notePublished(String promptId, String target) {
        update("note a published file of " + promptId,
                "UPDATE job_files SET published = 1 WHERE prompt_id = ? AND target = ?", promptId, target);
    }

    @Override
    public void forgetFile(String promptId, String target) {
        update("forget a file of " + promptId, "DELETE FROM job_files WHERE prompt_id = ? AND target = ?", promptId,
                target);
    }

    /** One statement with string parameters in its own write transaction. */
    private void update(String what, String statement, String... parameters) {
        write(what, () -> {
            PreparedStatement ps = sql(statement);
            for (int i = 0; i < parameters.length; i++) {
                ps.setString(i + 1, parameters[i]);
            }
            ps.executeUpdate();
            return null;
        });
    }

    @Override
    public List<FileNote> files(String promptId) {
        return read("read the files of " + promptId, () -> {
            PreparedStatement ps = sql("SELECT target, staging, published FROM job_files WHERE prompt_id = ?"
                    + " ORDER BY rowid");
            ps.setString(1, promptId);
            List<FileNote> notes = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    notes.add(new FileNote(rs.getString(1), rs.getString(2), rs.getInt(3) != 0));
                }
            }
            return notes;
        });
    }

    /** A ComfyUI history entry for a job that the server's death interrupted. */
    static String stoppedHistoryEntry(Job job, long nowMillis) {
        ObjectNode entry = JSON.createObjectNode();
        ArrayNode prompt = entry.putArray("prompt");
        prompt.add(job.number());
        prompt.add(job.promptId());
        prompt.add(parseOrText(job.promptJson()));
        JsonNode extraData = parseOrText(job.extraDataJson());
        if (extraData instanceof ObjectNode object) {
            object.remove(SENSITIVE_EXTRA_DATA);
        }
        prompt.add(extraData);
        ArrayNode outputs = prompt.addArray();
        job.outputsToExecute().forEach(outputs::add);
        entry.putObject("outputs");

        ObjectNode status = entry.putObject("status");
        status.put("status_str", "error");
        status.put("completed", false);
        ArrayNode message = status.putArray("messages").addArray();
        message.add("execution_error");
        ObjectNode error = message.addObject();
        error.put("prompt_id", job.promptId());
        error.putNull("node_id");
        error.putNull("node_type");
        error.putArray("executed");
        error.put("exception_message", STOPPED_MESSAGE);
        error.put("exception_type", "ServerStopped");
        error.putArray("traceback");
        error.putObject("current_inputs");
        error.putArray("current_outputs");
        error.put("timestamp", nowMillis);
        entry.putObject("meta");
        return entry.toString();
    }

    private static JsonNode parseOrText(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return JSON.getNodeFactory().textNode(json);
        }
    }

    // ---------------------------------------------------------------------------------------------------- rows

    private List<Job> selectJobs(String clause) throws SQLException {
        try (ResultSet rs = sql("SELECT " + JOB_COLUMNS + " FROM jobs " + clause).executeQuery()) {
            List<Job> jobs = new ArrayList<>();
            while (rs.next()) {
                jobs.add(readJob(rs));
            }
            return jobs;
        }
    }

    private List<Finished> readFinished(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            List<Finished> finished = new ArrayList<>();
            while (rs.next()) {
                finished.add(new Finished(readJob(rs), rs.getString(8), rs.getLong(9)));
            }
            return finished;
        }
    }

    /** Reads the {@link #JOB_COLUMNS} at columns 1..7. */
    private static Job readJob(ResultSet rs) throws SQLException {
        String id = rs.getString(1);
        List<String> outputs;
        try {
            outputs = JSON.readValue(rs.getString(6), STRING_LIST);
        } catch (JsonProcessingException e) {
            throw new StoreException("job " + id + " has unreadable outputs_to_execute: " + e.getMessage(), e);
        }
        return new Job(id, rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5), outputs, rs.getLong(7));
    }

    /** Binds the {@link #JOB_COLUMNS} to parameters 1..7. */
    private static void bindJob(PreparedStatement ps, Job job, String outputsJson) throws SQLException {
        ps.setString(1, job.promptId());
        ps.setLong(2, job.number());
        ps.setString(3, job.promptJson());
        ps.setString(4, job.extraDataJson());
        ps.setString(5, job.clientId());
        ps.setString(6, outputsJson);
        ps.setLong(7, job.createdAtMillis());
    }

    private static String toJson(List<String> strings) {
        try {
            return JSON.writeValueAsString(strings);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + strings + " as JSON", e);
        }
    }

    // ---------------------------------------------------------------------------------------------------- plumbing

    /** Work against the connection. */
    @FunctionalInterface
    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    /**
     * The prepared statement for {@code text}, made once per connection and kept (which saves a prepare on every call).
     * Callers hold the lock and close the result sets they open, so that no statement keeps a read snapshot open.
     */
    private PreparedStatement sql(String text) throws SQLException {
        PreparedStatement ps = statements.get(text);
        if (ps == null) {
            ps = connection.prepareStatement(text);
            statements.put(text, ps);
        } else {
            ps.clearParameters();
        }
        return ps;
    }

    /** Runs {@code work} in a {@code BEGIN IMMEDIATE} transaction; rolls back on any exception. */
    private <T> T write(String what, SqlWork<T> work) {
        lock.lock();
        try {
            checkOpen();
            sql("BEGIN IMMEDIATE").execute();
            boolean committed = false;
            try {
                T result = work.run();
                sql("COMMIT").execute();
                committed = true;
                return result;
            } finally {
                if (!committed) {
                    rollbackQuietly();
                }
            }
        } catch (SQLException e) {
            throw new StoreException("job store " + file + ": cannot " + what + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Runs a single-statement read (SQLite gives each statement a consistent snapshot). */
    private <T> T read(String what, SqlWork<T> work) {
        lock.lock();
        try {
            checkOpen();
            return work.run();
        } catch (SQLException e) {
            throw new StoreException("job store " + file + ": cannot " + what + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    private void rollbackQuietly() {
        try {
            sql("ROLLBACK").execute();
        } catch (SQLException ignored) {
            // Nothing was open (BEGIN failed) or SQLite already rolled back; the original exception matters more.
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("job store " + file + " is closed");
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                for (PreparedStatement ps : statements.values()) {
                    ps.close();
                }
                statements.clear();
                connection.close();
            }
        } catch (SQLException e) {
            throw new StoreException("cannot close the job store " + file + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** A failure of the database itself (I/O, corruption, lock timeout, a newer schema). */
    public static final class StoreException extends RuntimeException {
        StoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
