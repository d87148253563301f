// A component broke the component protocol of a run in time: it sent a record
// it should not have, or one whose content cannot be (a time short of the
// window's end, a done before the checkpoint it was asked to restore). The
// message is the reason as the run's error states it, after the component's
// name; the driver adds the component, its enclave and where the run was.
export class ProtocolViolation extends Error {
  override name = "ProtocolViolation";
  constructor(
    readonly component: string,
    readonly reason: string,
  ) {
    super(`component "${component}" ${reason}`);
  }
}
