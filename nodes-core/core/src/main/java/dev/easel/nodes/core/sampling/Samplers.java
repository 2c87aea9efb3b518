package dev.easel.nodes.core.sampling;

import static dev.easel.nodes.core.sampling.NoiseKind.BROWNIAN;
import static dev.easel.nodes.core.sampling.NoiseKind.BROWNIAN_DEVICE;
import static dev.easel.nodes.core.sampling.NoiseKind.GAUSSIAN;
import static dev.easel.nodes.core.sampling.NoiseKind.NONE;

import dev.easel.nodes.core.sampling.samplers.DpmPlusPlusSamplers;
import dev.easel.nodes.core.sampling.samplers.DpmSolverSamplers;
import dev.easel.nodes.core.sampling.samplers.EulerSamplers;
import dev.easel.nodes.core.sampling.samplers.ExponentialSamplers;
import dev.easel.nodes.core.sampling.samplers.HeunSamplers;
import dev.easel.nodes.core.sampling.samplers.MultistepSamplers;
import dev.easel.nodes.core.sampling.samplers.SaSolverSamplers;
import dev.easel.nodes.core.sampling.samplers.StochasticSamplers;
import dev.easel.nodes.core.sampling.samplers.UniPcSamplers;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every sampler by its KSampler name, in the reference's list order (api-contract §8). */
public final class Samplers {

    private static final Map<String, SamplerInfo> BY_NAME = new LinkedHashMap<>();

    static {
        add(SamplerInfo.of("euler", EulerSamplers::euler, NONE));
        add(SamplerInfo.of("euler_cfg_pp", EulerSamplers::eulerCfgPp, NONE));
        add(SamplerInfo.of("euler_ancestral", EulerSamplers::eulerAncestral, GAUSSIAN));
        add(SamplerInfo.of("euler_ancestral_cfg_pp", EulerSamplers::eulerAncestralCfgPp, GAUSSIAN));
        add(SamplerInfo.of("heun", HeunSamplers::heun, NONE));
        add(SamplerInfo.of("heunpp2", HeunSamplers::heunpp2, NONE));
        add(SamplerInfo.of("exp_heun_2_x0", ExponentialSamplers::expHeun2X0, NONE));
        add(SamplerInfo.of("exp_heun_2_x0_sde", ExponentialSamplers::expHeun2X0Sde, GAUSSIAN));
        add(new SamplerInfo("dpm_2", HeunSamplers::dpm2, NONE, true, false));
        add(new SamplerInfo("dpm_2_ancestral", HeunSamplers::dpm2Ancestral, GAUSSIAN, true, false));
        add(SamplerInfo.of("lms", MultistepSamplers::lms, NONE));
        add(SamplerInfo.of("dpm_fast", DpmSolverSamplers::dpmFast, GAUSSIAN));
        add(SamplerInfo.of("dpm_adaptive", DpmSolverSamplers::dpmAdaptive, GAUSSIAN));
        add(SamplerInfo.of("dpmpp_2s_ancestral", DpmPlusPlusSamplers::dpmpp2sAncestral, GAUSSIAN));
        add(SamplerInfo.of("dpmpp_2s_ancestral_cfg_pp", DpmPlusPlusSamplers::dpmpp2sAncestralCfgPp, GAUSSIAN));
        add(SamplerInfo.of("dpmpp_sde", DpmPlusPlusSamplers::dpmppSde, BROWNIAN));
        add(SamplerInfo.of("dpmpp_sde_gpu", DpmPlusPlusSamplers::dpmppSde, BROWNIAN_DEVICE));
        add(SamplerInfo.of("dpmpp_2m", DpmPlusPlusSamplers::dpmpp2m, NONE));
        add(SamplerInfo.of("dpmpp_2m_cfg_pp", DpmPlusPlusSamplers::dpmpp2mCfgPp, NONE));
        add(SamplerInfo.of("dpmpp_2m_sde", DpmPlusPlusSamplers::dpmpp2mSde, BROWNIAN));
        add(SamplerInfo.of("dpmpp_2m_sde_gpu", DpmPlusPlusSamplers::dpmpp2mSde, BROWNIAN_DEVICE));
        add(SamplerInfo.of("dpmpp_2m_sde_heun", DpmPlusPlusSamplers::dpmpp2mSdeHeun, BROWNIAN));
        add(SamplerInfo.of("dpmpp_2m_sde_heun_gpu", DpmPlusPlusSamplers::dpmpp2mSdeHeun, BROWNIAN_DEVICE));
        add(SamplerInfo.of("dpmpp_3m_sde", DpmPlusPlusSamplers::dpmpp3mSde, BROWNIAN));
        add(SamplerInfo.of("dpmpp_3m_sde_gpu", DpmPlusPlusSamplers::dpmpp3mSde, BROWNIAN_DEVICE));
        add(SamplerInfo.of("ddpm", StochasticSamplers::ddpm, GAUSSIAN));
        add(SamplerInfo.of("lcm", StochasticSamplers::lcm, GAUSSIAN));
        add(SamplerInfo.of("ipndm", MultistepSamplers::ipndm, NONE));
        add(SamplerInfo.of("ipndm_v", MultistepSamplers::ipndmV, NONE));
        add(SamplerInfo.of("deis", MultistepSamplers::deis, NONE));
        add(SamplerInfo.of("res_multistep", ExponentialSamplers::resMultistep, GAUSSIAN));
        add(SamplerInfo.of("res_multistep_cfg_pp", ExponentialSamplers::resMultistepCfgPp, GAUSSIAN));
        add(SamplerInfo.of("res_multistep_ancestral", ExponentialSamplers::resMultistepAncestral, GAUSSIAN));
        add(SamplerInfo.of("res_multistep_ancestral_cfg_pp", ExponentialSamplers::resMultistepAncestralCfgPp,
                GAUSSIAN));
        add(SamplerInfo.of("gradient_estimation", ExponentialSamplers::gradientEstimation, NONE));
        add(SamplerInfo.of("gradient_estimation_cfg_pp", ExponentialSamplers::gradientEstimationCfgPp, NONE));
        add(SamplerInfo.of("er_sde", ExponentialSamplers::erSde, GAUSSIAN));
        add(SamplerInfo.of("seeds_2", ExponentialSamplers::seeds2, GAUSSIAN));
        add(SamplerInfo.of("seeds_3", ExponentialSamplers::seeds3, GAUSSIAN));
        add(SamplerInfo.of("sa_solver", SaSolverSamplers::saSolver, GAUSSIAN));
        add(SamplerInfo.of("sa_solver_pece", SaSolverSamplers::saSolverPece, GAUSSIAN));
        add(new SamplerInfo("ddim", EulerSamplers::euler, NONE, false, true));
        add(new SamplerInfo("uni_pc", UniPcSamplers::uniPc, NONE, true, false));
        add(new SamplerInfo("uni_pc_bh2", UniPcSamplers::uniPcBh2, NONE, true, false));
    }

    private Samplers() {
    }

    private static void add(SamplerInfo info) {
        BY_NAME.put(info.name(), info);
    }

    /** The names, in the order of the KSampler's {@code sampler_name} list. */
    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    public static Optional<SamplerInfo> find(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** The sampler called {@code name}; an unknown name is an {@link IllegalArgumentException} naming the choices. */
    public static SamplerInfo get(String name) {
        SamplerInfo info = BY_NAME.get(name);
        if (info == null) {
            throw new IllegalArgumentException("unknown sampler '" + name + "'; known: " + String.join(", ", names()));
        }
        return info;
    }
}
