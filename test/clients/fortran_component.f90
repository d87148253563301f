! A component written in Fortran on the C client (clients/c/conflux.f90): a
! 1-D mesh "line" of `points` points with one field "value"; every step adds
! coordinate × iteration to the value, so the driver can check the result.
program fortran_component
  use conflux
  use, intrinsic :: iso_fortran_env, only: error_unit
  implicit none
  type(c_ptr) :: app, mesh, address
  real(c_double), pointer :: x(:), values(:)
  integer(c_int) :: points, iteration
  integer :: index

  if (cfx_connect(app) /= CFX_OK) call fail()
  if (cfx_arg_int(app, "points"//c_null_char, 10_c_int, points) /= CFX_OK) call fail()
  if (cfx_share_mesh(app, "line"//c_null_char, 1_c_int, points, CFX_LAYOUT_SOA, "value"//c_null_char, mesh) &
      /= CFX_OK) call fail()
  if (cfx_mesh_coordinates(mesh, address) /= CFX_OK) call fail()
  call c_f_pointer(address, x, [points])
  if (cfx_mesh_field(mesh, "value"//c_null_char, address) /= CFX_OK) call fail()
  call c_f_pointer(address, values, [points])
  do index = 1, points
    x(index) = real(index - 1, c_double) / real(points, c_double)
    values(index) = 0
  end do
  if (cfx_ready(app) /= CFX_OK) call fail()
  do
    if (cfx_next_step(app, iteration) /= CFX_OK) call fail()
    if (iteration < 0) exit
    values = values + x * real(iteration, c_double)
    if (cfx_done(app) /= CFX_OK) call fail()
  end do
  if (cfx_close(app) /= CFX_OK) call fail()

contains

  subroutine fail()
    write (error_unit, '(a)') "ERROR: "//cfx_error_message()
    error stop 1
  end subroutine fail

end program fortran_component
