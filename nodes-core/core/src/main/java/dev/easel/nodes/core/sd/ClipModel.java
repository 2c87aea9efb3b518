package dev.easel.nodes.core.sd;

import dev.easel.node.ContentHashable;
import dev.easel.node.RefCounted;
import dev.easel.nodes.core.clip.ClipTextEncoder;
import dev.easel.nodes.core.clip.EmbeddingLookup;
import dev.easel.nodes.core.clip.Embeddings;
import dev.easel.nodes.core.clip.ClipTextModel;
import dev.easel.nodes.core.clip.ClipTower;
import dev.easel.nodes.core.clip.Scopes;
import dev.easel.nodes.core.clip.WeightedTokenizer;
import dev.easel.nodes.core.lora.LoraFile;
import dev.easel.nodes.core.lora.LoraPatches;
import dev.easel.nodes.core.model.WeightDeltas;
import dev.easel.nodes.core.model.WeightPatcher;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * A CLIP value: the text towers of a checkpoint ({@link ClipTower}: one for SD1.x, SD2.x and the SDXL refiner, CLIP-L
 * and bigG for SDXL) and the layer the conditioning comes from (CLIPSetLastLayer, applied to every tower). A prompt's
 * conditioning is the towers' outputs concatenated along the feature axis (SDXL: [L, G] → 768 + 1280 wide), cut to
 * the shortest token length; the pooled output is the last tower's (SDXL: bigG's projected pooled output). Copies with
 * another layer or with LoRAs share the encoders' weights; each tower's LoRAs are held on that tower's own weights
 * ({@link #usePatches}).
 */
public final class ClipModel implements RefCounted, ContentHashable {

    private final List<ClipTower> towers;
    /** The layer chosen with CLIPSetLastLayer, or {@code null} for each tower's default. */
    private final Integer layer;
    private final String identity;
    /**
     * Per tower (same order), the LoRAs on its weights, applied in place while an encode uses this CLIP
     * ({@link #usePatches}). Each {@link LoraPatches.Applied} entry holds one reference to its LoRA file.
     */
    private final List<WeightDeltas> patches;

    /** A CLIP over {@code towers}, owning one reference to each tower's model. */
    public ClipModel(List<ClipTower> towers, String identity) {
        this(towers, null, identity, Collections.nCopies(towers.size(), WeightDeltas.NONE));
    }

    private ClipModel(List<ClipTower> towers, Integer layer, String identity, List<WeightDeltas> patches) {
        if (towers.isEmpty()) {
            throw new IllegalArgumentException("a CLIP needs at least one text encoder");
        }
        this.towers = List.copyOf(towers);
        this.layer = layer;
        this.identity = identity;
        this.patches = List.copyOf(patches);
    }

    /** An SD1.x CLIP with the standard tokenizer, using the last layer. */
    public static ClipModel sd1(ClipTextModel model, String identity) {
        return new ClipModel(List.of(ClipTower.sd1(model)), identity);
    }

    /** The same encoders stopping at {@code layerIndex} (−1 last, −2 penultimate, ...); shares the weights. */
    public ClipModel withLayer(int layerIndex) {
        retain(); // the copy is one more owner of the weights
        return new ClipModel(towers, layerIndex, identity, patches);
    }

    /**
     * The same encoders with {@code lora}'s text-encoder pairs added at {@code strength}, each on the tower it targets
     * (SDXL: CLIP-L and bigG separately); shares the weights and the LoRA (one more owner of each). A tower the file
     * does not patch keeps its LoRAs.
     */
    public ClipModel withLora(LoraFile lora, double strength) {
        List<WeightDeltas> next = new ArrayList<>(patches);
        for (int i = 0; i < towers.size(); i++) {
            String prefix = towers.get(i).keyPrefix();
            if (lora.patchesUnder(prefix)) {
                next.set(i, LoraPatches.add(patches.get(i), prefix, lora, strength));
            }
        }
        retain(); // the towers and the LoRAs already on them
        for (int i = 0; i < towers.size(); i++) {
            if (next.get(i) != patches.get(i)) {
                lora.retain(); // one reference per tower it is on, as release() counts
            }
        }
        return new ClipModel(towers, layer, identity + "|lora:" + lora.identity() + "@" + strength, next);
    }

    /** The LoRAs on each tower (in tower order), each in the order they were added. */
    public List<WeightDeltas> patches() {
        return patches;
    }

    /**
     * Holds every tower's weights patched as this CLIP says (waiting while another set is in use on a tower); close
     * after. Towers are taken in their fixed order, so two encodes cannot each hold a tower the other waits for.
     */
    public WeightPatcher.Use usePatches() {
        List<WeightPatcher.Use> held = new ArrayList<>();
        try {
            for (int i = 0; i < towers.size(); i++) {
                held.add(towers.get(i).model().weights().patcher().use(patches.get(i)));
            }
        } catch (RuntimeException e) {
            closeAll(held);
            throw e;
        }
        return () -> closeAll(held);
    }

    private static void closeAll(List<WeightPatcher.Use> held) {
        for (int i = held.size() - 1; i >= 0; i--) {
            held.get(i).close(); // each use closes once, however often this runs
        }
    }

    /** Encodes a prompt with ComfyUI's weighting syntax, the same text for every tower, without embeddings. */
    public ClipTextEncoder.Encoded encode(String prompt) {
        return encode(prompt, null);
    }

    /**
     * Encodes a prompt, the same text for every tower, with {@code embedding:name} taken from {@code embeddings}
     * (each tower reads its own vectors: {@value Embeddings#KEY_CLIP_G} for bigG, {@value Embeddings#KEY_CLIP_L}
     * otherwise), or kept as text when {@code embeddings} is null.
     */
    public ClipTextEncoder.Encoded encode(String prompt, Embeddings embeddings) {
        List<WeightedTokenizer.Chunks> chunks = new ArrayList<>();
        for (ClipTower tower : towers) {
            chunks.add(tower.tokenizer().tokenize(prompt, lookup(tower, embeddings)));
        }
        return encode(chunks);
    }

    private static EmbeddingLookup lookup(ClipTower tower, Embeddings embeddings) {
        if (embeddings == null) {
            return EmbeddingLookup.NONE;
        }
        String key = tower.name().equals("g") ? Embeddings.KEY_CLIP_G : Embeddings.KEY_CLIP_L;
        return embeddings.forTower(key, tower.model().config().width());
    }

    /**
     * Encodes one text per tower (CLIPTextEncodeSDXL: {@code "g"} and {@code "l"}); a tower without a text gets the
     * empty prompt. When the towers' chunk counts differ, the shorter ones get empty chunks appended, as the
     * reference does, so the token lengths match. {@code embeddings} as in {@link #encode(String, Embeddings)}.
     */
    public ClipTextEncoder.Encoded encode(Map<String, String> textPerTower, Embeddings embeddings) {
        List<WeightedTokenizer.Chunks> chunks = new ArrayList<>();
        int most = 0;
        for (ClipTower tower : towers) {
            WeightedTokenizer.Chunks c = tower.tokenizer().tokenize(textPerTower.getOrDefault(tower.name(), ""),
                    lookup(tower, embeddings));
            chunks.add(c);
            most = Math.max(most, c.count());
        }
        for (int i = 0; i < chunks.size(); i++) {
            WeightedTokenizer.Chunks c = chunks.get(i);
            if (c.count() < most) {
                List<List<WeightedTokenizer.WeightedToken>> padded = new ArrayList<>(c.chunks());
                List<WeightedTokenizer.WeightedToken> empty = towers.get(i).tokenizer().tokenize("").chunks().get(0);
                while (padded.size() < most) {
                    padded.add(empty);
                }
                chunks.set(i, new WeightedTokenizer.Chunks(padded));
            }
        }
        return encode(chunks);
    }

    private ClipTextEncoder.Encoded encode(List<WeightedTokenizer.Chunks> chunks) {
        Tensor[] r = Scopes.returnToCaller(() -> {
            List<Tensor> conds = new ArrayList<>();
            Tensor pooled = null;
            long tokens = Long.MAX_VALUE;
            for (int i = 0; i < towers.size(); i++) {
                ClipTower tower = towers.get(i);
                ClipTextEncoder.Encoded e = tower.encoder().encode(chunks.get(i), tower.layer(layer));
                conds.add(e.cond());
                tokens = Math.min(tokens, e.cond().size(1));
                pooled = e.pooled();
            }
            if (conds.size() == 1) {
                return new Tensor[] {conds.get(0), pooled};
            }
            TensorVector cut = new TensorVector();
            for (Tensor cond : conds) {
                cut.push_back(cond.narrow(1, 0, tokens));
            }
            return new Tensor[] {torch.cat(cut, -1), pooled};
        });
        return new ClipTextEncoder.Encoded(r[0], r[1], chunks.get(0));
    }

    /** The layer chosen with CLIPSetLastLayer, or the first tower's default. */
    public int layer() {
        return towers.get(0).layer(layer);
    }

    /** The first tower's encoder (SD1.x: the only one). */
    public ClipTextModel model() {
        return towers.get(0).model();
    }

    public List<ClipTower> towers() {
        return towers;
    }

    /** Every tower's encoder, for model placement. */
    public List<ClipTextModel> models() {
        return towers.stream().map(ClipTower::model).toList();
    }

    @Override
    public void retain() {
        towers.forEach(t -> t.model().retain());
        patches.forEach(p -> LoraPatches.applied(p).forEach(a -> a.lora().retain()));
    }

    @Override
    public void release() {
        patches.forEach(p -> LoraPatches.applied(p).forEach(a -> a.lora().release()));
        towers.forEach(t -> t.model().release());
    }

    @Override
    public long nativeBytes() {
        return towers.stream().mapToLong(t -> t.model().nativeBytes()).sum();
    }

    @Override
    public String contentHash() {
        return identity + "/layer=" + (layer == null ? "default" : layer);
    }
}
