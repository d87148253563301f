// view/browser/ owns what runs in the reader's browser for a view: the polling of state.json, the sections as the
// report draws them, the progress and the point view. It must not reach Node nor fetch from anywhere else.
/// <reference lib="dom" />
// The point view: a mesh's points in 3-D with three.js, coloured by one field through three.js's colour lookup
// table (Lut), turned and zoomed with its orbit controls. It draws on demand (a new state, a turn of the camera),
// not every frame, so an idle page costs nothing. The element it draws into says what it drew (data-* below),
// for the reader's tools and for tests.
import {
  BufferAttribute,
  BufferGeometry,
  Color,
  PerspectiveCamera,
  Points,
  PointsMaterial,
  Scene,
  Sphere,
  Vector3,
  WebGLRenderer,
} from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import { Lut } from "three/examples/jsm/math/Lut.js";
import type { FieldPoints, MeshPoints } from "../mesh-points.ts";

/** Where a value is not finite. */
const GAP_COLOUR = new Color(0.6, 0.6, 0.6);

export class PointView {
  private readonly renderer: WebGLRenderer;
  private readonly scene = new Scene();
  private readonly camera = new PerspectiveCamera(45, 1, 0.01, 1000);
  private readonly controls: OrbitControls;
  private readonly lut = new Lut("cooltowarm", 256);
  private points: Points | undefined;
  /** The mesh the camera was fitted to: a new state of the same mesh keeps the reader's view. */
  private fitted: string | undefined;

  constructor(private readonly element: HTMLElement) {
    // Kept after drawing, so that the canvas can be read back (a screenshot, a test counting coloured pixels).
    this.renderer = new WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(window.devicePixelRatio);
    this.scene.background = new Color(0xf7f9fc);
    element.appendChild(this.renderer.domElement);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.addEventListener("change", () => this.render());
    new ResizeObserver(() => this.resize()).observe(element);
    this.resize();
  }

  /** The legend's colours, low to high, as a CSS gradient. */
  ramp(): string {
    const stops: string[] = [];
    for (let step = 0; step <= 8; step++) {
      stops.push(`#${this.lut.getColor(this.lut.minV + ((this.lut.maxV - this.lut.minV) * step) / 8).getHexString()}`);
    }
    return `linear-gradient(to right, ${stops.join(", ")})`;
  }

  show(mesh: MeshPoints, field: FieldPoints | undefined): void {
    const geometry = new BufferGeometry();
    geometry.setAttribute("position", new BufferAttribute(new Float32Array(mesh.positions), 3));
    const colours = new Float32Array(mesh.shown * 3);
    const low = field?.min ?? 0;
    const high = field?.max ?? 1;
    // A constant field has no range to spread over the table: it takes the table's middle.
    this.lut.setMin(low);
    this.lut.setMax(high > low ? high : low + 1);
    for (let index = 0; index < mesh.shown; index++) {
      const value = field?.values[index];
      const colour =
        value === undefined || value === null ? GAP_COLOUR : this.lut.getColor(high > low ? value : low + 0.5);
      colours[index * 3] = colour.r;
      colours[index * 3 + 1] = colour.g;
      colours[index * 3 + 2] = colour.b;
    }
    geometry.setAttribute("color", new BufferAttribute(colours, 3));
    geometry.computeBoundingSphere();
    if (this.points !== undefined) {
      this.scene.remove(this.points);
      this.points.geometry.dispose();
      (this.points.material as PointsMaterial).dispose();
    }
    this.points = new Points(geometry, new PointsMaterial({ size: 4, sizeAttenuation: false, vertexColors: true }));
    this.scene.add(this.points);
    if (this.fitted !== mesh.mesh) {
      this.fit(geometry.boundingSphere ?? new Sphere(new Vector3(), 1), mesh.dimension);
      this.fitted = mesh.mesh;
    }
    const data = this.element.dataset;
    data.mesh = mesh.mesh;
    data.field = field?.field ?? "";
    data.points = String(mesh.points);
    data.shown = String(mesh.shown);
    data.min = field?.min === null || field === undefined ? "" : String(field.min);
    data.max = field?.max === null || field === undefined ? "" : String(field.max);
    this.render();
    data.drawn = String(Number(data.drawn ?? "0") + 1);
  }

  private fit(sphere: Sphere, dimension: number): void {
    const radius = sphere.radius > 0 ? sphere.radius : 1;
    // A line or a plane is seen from straight on; a body from an angle, so that its depth shows.
    const direction = dimension === 3 ? new Vector3(1, 0.8, 1.4).normalize() : new Vector3(0, 0, 1);
    const distance = radius / Math.sin((this.camera.fov * Math.PI) / 360);
    this.camera.position.copy(sphere.center).addScaledVector(direction, distance * 1.1);
    this.camera.near = distance / 100;
    this.camera.far = distance * 10;
    this.camera.updateProjectionMatrix();
    this.controls.target.copy(sphere.center);
    this.controls.update();
  }

  private resize(): void {
    const width = this.element.clientWidth || 640;
    const height = this.element.clientHeight || 400;
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.render();
  }

  private render(): void {
    this.renderer.render(this.scene, this.camera);
  }
}
