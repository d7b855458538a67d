"""Counts the multiply-accumulates and output activations of one forward pass with forward hooks:
every nn.Conv2d and nn.Linear at its real output size, plus what module types a caller prices
itself (`extra`: type -> function(module, inputs, output) -> (macs, activations)); a priced
module's own convolutions are still counted, so its function adds only what they miss.
Shared by models/sr/profile_sr.py and models/deepfake/train_detector.py."""
import torch


def count(model, *inputs, extra=None):
    total = {"macs": 0, "acts": 0}

    def add(macs, acts):
        total["macs"] += int(macs)
        total["acts"] += int(acts)

    def conv(m, i, o):
        add(o.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1],
            o.numel())

    def linear(m, i, o):
        add(o.numel() * m.in_features, o.numel())

    priced = dict(extra or {})
    hooks = []
    for m in model.modules():
        fn = next((f for kind, f in priced.items() if isinstance(m, kind)), None)
        if fn is not None:
            hooks.append(m.register_forward_hook(lambda mod, i, o, fn=fn: add(*fn(mod, i, o))))
        else:
            if isinstance(m, torch.nn.Conv2d):
                hooks.append(m.register_forward_hook(conv))
            elif isinstance(m, torch.nn.Linear):
                hooks.append(m.register_forward_hook(linear))
    try:
        with torch.no_grad():
            model(*inputs)
    finally:
        for h in hooks:
            h.remove()
    return total["macs"], total["acts"]
