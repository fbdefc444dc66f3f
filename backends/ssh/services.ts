// Service specs: the saved ones, and an implicit one for each other service name that the
// hosts' units carry.
import type { ServiceRecord } from "../../src/backend/backend.js";
import { serviceIdOf, typeFromName } from "../../src/backend/ceph-names.js";
import { nowTimestamp, toTimestamp } from "../../src/backend/timestamps.js";
import { ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { SshState } from "./state.js";
import type { DaemonView } from "./view.js";

export class Services {
  constructor(
    private readonly state: SshState,
    private readonly view: DaemonView,
  ) {}

  async list(): Promise<ServiceRecord[]> {
    const view = await this.view.get(false);
    const implicit = new Map<string, ServiceRecord>();
    for (const [name, { unit }] of view.units) {
      const sn = unit.serviceName;
      if (this.state.services.some((s) => s.serviceName === sn) || implicit.has(sn)) continue;
      implicit.set(sn, {
        serviceType: typeFromName(name.split(".")[0]!) ?? ServiceType.SERVICE_TYPE_UNSPECIFIED,
        serviceId: serviceIdOf(sn),
        serviceName: sn,
        placement: undefined,
        created: toTimestamp(unit.created * 1000),
        radosConfigLocation: "",
        serviceUrl: "",
        details: undefined,
        unmanaged: false,
      });
    }
    return [...this.state.services.map((s) => structuredClone(s)), ...implicit.values()];
  }

  async save(service: ServiceRecord): Promise<void> {
    const services = this.state.services;
    const i = services.findIndex((s) => s.serviceName === service.serviceName);
    const created = service.created ?? services[i]?.created ?? nowTimestamp();
    const record = { ...structuredClone(service), created };
    if (i >= 0) services[i] = record;
    else services.push(record);
    await this.state.persist();
  }

  async delete(serviceName: string): Promise<void> {
    // An MDS service's file system and an RGW service's pools stay: they hold data.
    this.state.services = this.state.services.filter((s) => s.serviceName !== serviceName);
    await this.state.persist();
  }
}
