package dev.easel.nodes.core.controlnet;

import dev.easel.node.ContentHashable;
import dev.easel.node.RefCounted;
import dev.easel.runtime.TensorRef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A ControlNet applied to conditioning entries (the value of their {@code control} option): the net, its hint image,
 * strength and the part of the sampling it acts in, and the application it was chained onto (applying a second
 * ControlNet to conditioning that has one chains them; their residuals add up).
 *
 * <p>The resized hint is computed once per latent size, batch and device and kept until the next size or the last
 * release. {@link RefCounted}: starts with one (creation) owner and holds a reference to the net, the image and the
 * previous application for as long as it lives.
 */
public final class ControlApplication implements RefCounted, ContentHashable {

    private final ControlNetModel net;
    private final TensorRef image;
    private final double strength;
    private final double startPercent;
    private final double endPercent;
    private final ControlApplication previous;
    private final AtomicInteger owners = new AtomicInteger(1);
    private final String hash;
    private String hintKey;
    private Tensor hint;

    private ControlApplication(ControlNetModel net, TensorRef image, double strength, double startPercent,
            double endPercent, ControlApplication previous) {
        this.net = Objects.requireNonNull(net, "net");
        this.image = Objects.requireNonNull(image, "image");
        this.strength = strength;
        this.startPercent = startPercent;
        this.endPercent = endPercent;
        this.previous = previous;
        this.hash = computeHash();
        net.retain();
        image.retain();
        if (previous != null) {
            previous.retain();
        }
    }

    /**
     * A new application with one owner (the caller's).
     *
     * @param image the hint IMAGE [B, H, W, C]
     * @param previous the application already on the conditioning entry, or {@code null}
     */
    public static ControlApplication of(ControlNetModel net, TensorRef image, double strength, double startPercent,
            double endPercent, ControlApplication previous) {
        return new ControlApplication(net, image, strength, startPercent, endPercent, previous);
    }

    public ControlNetModel net() {
        return net;
    }

    public double strength() {
        return strength;
    }

    public double startPercent() {
        return startPercent;
    }

    public double endPercent() {
        return endPercent;
    }

    /** The application this one was chained onto, or {@code null}. */
    public ControlApplication previous() {
        return previous;
    }

    /** The chain, oldest first, ending with this one. */
    public List<ControlApplication> chain() {
        List<ControlApplication> out = new ArrayList<>();
        for (ControlApplication c = this; c != null; c = c.previous) {
            out.add(c);
        }
        Collections.reverse(out);
        return out;
    }

    /**
     * The hint for {@code batch} latents of {@code h}×{@code w} cells on {@code like}'s device, float32 (see
     * {@link HintImage}); borrowed: valid until this application is released or asked for another size.
     */
    synchronized Tensor hint(long h, long w, long batch, Tensor like) {
        String device = like.device().str().getString();
        String key = h + "x" + w + "/" + batch + "@" + device;
        if (!key.equals(hintKey)) {
            Tensor next;
            try (PointerScope scope = new PointerScope()) {
                Tensor resized = HintImage.toBatch(HintImage.resize(image.tensor(), h, w), batch);
                next = resized.to(like.device(), ScalarType.Float).contiguous();
                next.retainReference(); // kept beyond this scope
            }
            freeHint();
            hint = next;
            hintKey = key;
        }
        return hint;
    }

    private void freeHint() {
        if (hint != null) {
            hint.releaseReference();
            hint = null;
            hintKey = null;
        }
    }

    @Override
    public void retain() {
        if (owners.getAndIncrement() <= 0) {
            owners.decrementAndGet();
            throw new IllegalStateException("ControlNet application of " + net.name() + " was already freed");
        }
    }

    @Override
    public void release() {
        int left = owners.decrementAndGet();
        if (left < 0) {
            owners.incrementAndGet();
            throw new IllegalStateException("ControlNet application of " + net.name()
                    + " released more often than retained");
        }
        if (left == 0) {
            synchronized (this) {
                freeHint();
            }
            if (previous != null) {
                previous.release();
            }
            image.release();
            net.release();
        }
    }

    /** The hint image's bytes (the net's weights are counted where the net is owned). */
    @Override
    public long nativeBytes() {
        return image.nativeBytes() + (previous == null ? 0 : previous.nativeBytes());
    }

    @Override
    public String contentHash() {
        return hash;
    }

    private String computeHash() {
        MessageDigest d;
        try {
            d = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        String text = "control:" + net.contentHash() + "|image:" + image.contentHash() + "|strength:" + strength
                + "|range:" + startPercent + "," + endPercent + "|previous:"
                + (previous == null ? "none" : previous.contentHash());
        return HexFormat.of().formatHex(d.digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public String toString() {
        return "ControlApplication[" + net.name() + " @" + strength + " " + startPercent + "–" + endPercent
                + (previous == null ? "" : " after " + previous) + "]";
    }
}
