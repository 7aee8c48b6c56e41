import { useMutation } from "@tanstack/react-query";
import { api } from "../../lib/api";
import { useFlags } from "../../lib/flags";
import type { Cart } from "../../types";
import { CheckoutV2 } from "./CheckoutV2";
import { LegacyCheckout } from "./LegacyCheckout";

export function CheckoutPage({ cart }: { cart: Cart }) {
  const flags = useFlags();
  if (flags.newCheckoutV2) {
    return <CheckoutV2 cart={cart} />;
  }
  return <LegacyCheckout cart={cart} />;
}

export function RemoveLineButton({ lineId }: { lineId: number }) {
  const remove = useMutation({
    mutationFn: () => api.delete(`/cart/lines/${lineId}`),
  });
  return (
    <button disabled={remove.isPending} onClick={() => remove.mutate()}>
      Remove
    </button>
  );
}
